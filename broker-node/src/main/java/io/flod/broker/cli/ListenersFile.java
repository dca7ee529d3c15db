package io.flod.broker.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <data-dir>/listeners.properties}: the ports a running broker process actually bound, for
 * its node agent (which probes and reports them). Written once the broker is up, by temp file and
 * rename, so a reader never sees half of it. It names the broker's pid: a file left by an earlier
 * process of the same data directory is not mistaken for the current one's.
 *
 * <pre>
 * pid=12345
 * kafka=127.0.0.1:40123     (the advertised host and the bound port)
 * http=40124                (absent without an HTTP head)
 * </pre>
 */
public final class ListenersFile {
  public static final String NAME = "listeners.properties";

  /** What one broker process bound. */
  public record Bound(long pid, String host, int kafkaPort, int httpPort) {
    public InetSocketAddress kafka() {
      return new InetSocketAddress(host, kafkaPort);
    }
  }

  private ListenersFile() {}

  public static void write(Path dataDir, Bound bound) {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(bound.pid()));
    p.setProperty("kafka", bound.host() + ":" + bound.kafkaPort());
    if (bound.httpPort() > 0) {
      p.setProperty("http", Integer.toString(bound.httpPort()));
    }
    try {
      StringWriter text = new StringWriter();
      p.store(text, "ports bound by the broker process " + bound.pid());
      Path tmp = dataDir.resolve(NAME + ".tmp");
      Files.writeString(tmp, text.toString());
      Files.move(
          tmp,
          dataDir.resolve(NAME),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dataDir.resolve(NAME), e);
    }
  }

  /** What the broker process {@code pid} bound, once it has written it. */
  public static Optional<Bound> read(Path dataDir, long pid) {
    Path file = dataDir.resolve(NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
      if (Long.parseLong(p.getProperty("pid", "-1")) != pid) {
        return Optional.empty();
      }
      String kafka = p.getProperty("kafka", "");
      int colon = kafka.lastIndexOf(':');
      return Optional.of(
          new Bound(
              pid,
              kafka.substring(0, colon),
              Integer.parseInt(kafka.substring(colon + 1)),
              Integer.parseInt(p.getProperty("http", "0"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not (yet) a whole file of this process
    }
  }
}
