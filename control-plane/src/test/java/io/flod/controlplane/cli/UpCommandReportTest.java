package io.flod.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code bin/flod up} prints about brokers that do not run, from a cluster's status. */
class UpCommandReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode view(String nodes) throws Exception {
    return JSON.readTree("{\"status\":{\"state\":\"Provisioning\",\"nodes\":[" + nodes + "]}}");
  }

  @Test
  void aCrashLoopingBrokerIsPrintedWithItsExitCodeAndCause() throws Exception {
    JsonNode view =
        view(
            "{\"nodeId\":\"node-0\",\"brokerState\":\"running\"},"
                + "{\"nodeId\":\"node-1\",\"brokerState\":\"crashLooping\",\"lastExitCode\":1,"
                + "\"lastError\":\"cannot listen on 127.0.0.1:44803 (Kafka): address already in"
                + " use\"},"
                + "{\"nodeId\":\"node-2\",\"brokerState\":\"starting\"}");
    assertEquals(
        List.of(
            "node-1: broker crashLooping (exit 1): cannot listen on 127.0.0.1:44803 (Kafka):"
                + " address already in use"),
        UpCommandReport.problems(view));
    String report = UpCommandReport.notReady(view, Path.of("/d"));
    assertTrue(
        report.startsWith(
            "flod: the cluster did not become Ready in 5 minutes (Provisioning):"
                + System.lineSeparator()
                + "  node-1: broker crashLooping (exit 1): cannot listen on 127.0.0.1:44803"),
        report);
    assertTrue(report.contains("/d/machines"), report);
  }

  @Test
  void withoutErrorsTheReportSaysSoAndWhereTheLogsAre() throws Exception {
    String report =
        UpCommandReport.notReady(
            view("{\"nodeId\":\"node-0\",\"brokerState\":\"starting\"}"), Path.of("/d"));
    assertTrue(report.contains("no broker reported an error"), report);
  }
}
