package io.flod.broker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point for the broker's commands, as {@code bin/flod} runs them. */
@Command(
    name = "flod",
    mixinStandardHelpOptions = true,
    subcommands = {BrokerCommand.class, UpCommand.class, ClusterInitCommand.class},
    description = "Flod: a Kafka-compatible event-streaming service.")
public final class FlodBrokerMain {
  public static void main(String[] args) {
    System.exit(new CommandLine(new FlodBrokerMain()).execute(args));
  }
}
