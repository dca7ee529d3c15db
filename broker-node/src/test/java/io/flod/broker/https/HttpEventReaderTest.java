package io.flod.broker.https;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** How an HTTPS publish's bytes become events, and which bad requests get a 400 saying why. */
class HttpEventReaderTest {
  private final HttpEventReader reader = new HttpEventReader();

  private static FullHttpRequest request(String contentType, String body, String... headers) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.POST,
            "/orders/messages",
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    request.headers().set("Host", "broker").set("Authorization", "SharedAccessSignature sr=x");
    if (contentType != null) {
      request.headers().set("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.headers().add(headers[i], headers[i + 1]);
    }
    return request;
  }

  private static Map<String, String> properties(HttpEvent event) {
    return Arrays.stream(event.properties())
        .collect(Collectors.toMap(Header::key, h -> new String(h.value(), StandardCharsets.UTF_8)));
  }

  @Test
  void oneEventTakesItsKeyFromBrokerPropertiesAndItsPropertiesFromTheOtherHeaders()
      throws Exception {
    HttpEvent event =
        reader
            .read(
                request(
                    "application/atom+xml;type=entry",
                    "21.5",
                    "BrokerProperties",
                    "{\"PartitionKey\":\"device-1\",\"Label\":\"x\"}",
                    "Sensor",
                    "\"thermometer\"",
                    "Floor",
                    "3",
                    "X-Forwarded-For",
                    "10.0.0.1"))
            .get(0);
    assertArrayEquals("21.5".getBytes(StandardCharsets.UTF_8), event.body());
    assertEquals("device-1", event.partitionKey());
    assertEquals(Map.of("Sensor", "thermometer", "Floor", "3"), properties(event));
  }

  @Test
  void aBatchIsManyEventsEachWithItsOwnKeyAndProperties() throws Exception {
    List<HttpEvent> events =
        reader.read(
            request(
                HttpEventReader.BATCH_CONTENT_TYPE,
                "[{\"Body\":\"a\",\"UserProperties\":{\"n\":1,\"ok\":true,\"none\":null}},"
                    + "{\"Body\":\"b\",\"BrokerProperties\":{\"PartitionKey\":\"k\"}}]"));
    assertEquals(2, events.size());
    assertNull(events.get(0).partitionKey());
    assertEquals("1", new String(events.get(0).properties()[0].value(), StandardCharsets.UTF_8));
    assertNull(events.get(0).properties()[2].value(), "a null property is a header without value");
    assertEquals("k", events.get(1).partitionKey());
  }

  @Test
  void malformedRequestsAreRefusedWith400AndAReason() {
    String batch = HttpEventReader.BATCH_CONTENT_TYPE;
    Map<FullHttpRequest, String> bad =
        Map.of(
            request(batch, "[{\"Body\": "), "not valid JSON",
            request(batch, "[]"), "non-empty JSON array",
            request(batch, "{\"Body\":\"x\"}"), "non-empty JSON array",
            request(batch, "[{\"Body\": 5}]"), "no string \"Body\"",
            request(batch, "[{\"Body\":\"x\",\"UserProperties\":{\"a\":{\"b\":1}}}]"),
                "plain value",
            request(null, "x", "BrokerProperties", "{nope"), "not valid JSON",
            request(null, "x", "BrokerProperties", "[1]"), "JSON object",
            request(null, "x", "BrokerProperties", "{\"PartitionKey\":7}"),
                "PartitionKey must be a string");
    bad.forEach(
        (request, reason) -> {
          PublishRefused refused = assertThrows(PublishRefused.class, () -> reader.read(request));
          assertEquals(HttpResponseStatus.BAD_REQUEST, refused.status());
          assertTrue(refused.getMessage().contains(reason), refused.getMessage());
        });
  }
}
