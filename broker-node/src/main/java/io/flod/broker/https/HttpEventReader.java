package io.flod.broker.https;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Reads the events of an HTTPS publish as Event Hubs' REST API defines them. One event: the body is
 * the event, the {@code BrokerProperties} header a JSON object whose {@code PartitionKey} is the
 * key, and every other non-transport header a user property (string values may be quoted, as
 * Service Bus writes them). A batch ({@value #BATCH_CONTENT_TYPE}): a JSON array of {@code {"Body":
 * "…", "UserProperties": {…}, "BrokerProperties": {"PartitionKey": "…"}}}.
 */
final class HttpEventReader {
  static final String BATCH_CONTENT_TYPE = "application/vnd.microsoft.servicebus.json";
  static final String BROKER_PROPERTIES = "BrokerProperties";
  private static final Header[] NO_HEADERS = new Header[0];

  /** Headers of HTTP itself, of proxies and of the publish protocol: never user properties. */
  private static final Set<String> NOT_PROPERTIES =
      Set.of(
          "accept",
          "accept-charset",
          "accept-encoding",
          "accept-language",
          "authorization",
          "brokerproperties",
          "cache-control",
          "connection",
          "content-encoding",
          "content-length",
          "content-type",
          "cookie",
          "date",
          "expect",
          "forwarded",
          "host",
          "http2-settings",
          "keep-alive",
          "pragma",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "user-agent",
          "via");

  private final ObjectMapper json = new ObjectMapper();

  List<HttpEvent> read(FullHttpRequest request) throws PublishRefused {
    String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (contentType.toLowerCase(Locale.ROOT).startsWith(BATCH_CONTENT_TYPE)) {
      return readBatch(request);
    }
    String key = partitionKey(parse(request.headers().get(BROKER_PROPERTIES), BROKER_PROPERTIES));
    return List.of(
        new HttpEvent(ByteBufUtil.getBytes(request.content()), key, properties(request.headers())));
  }

  private List<HttpEvent> readBatch(FullHttpRequest request) throws PublishRefused {
    JsonNode batch;
    try {
      batch = json.readTree((java.io.InputStream) new ByteBufInputStream(request.content()));
    } catch (IOException e) {
      throw PublishRefused.badRequest("the batch is not valid JSON: " + brief(e));
    }
    if (batch == null || !batch.isArray() || batch.isEmpty()) {
      throw PublishRefused.badRequest(
          "a batch is a non-empty JSON array of {\"Body\", \"UserProperties\","
              + " \"BrokerProperties\"} objects");
    }
    List<HttpEvent> events = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      JsonNode event = batch.get(i);
      JsonNode body = event.get("Body");
      if (!event.isObject() || body == null || !body.isTextual()) {
        throw PublishRefused.badRequest("event " + i + " of the batch has no string \"Body\"");
      }
      events.add(
          new HttpEvent(
              body.textValue().getBytes(StandardCharsets.UTF_8),
              partitionKey(event.get("BrokerProperties")),
              userProperties(event.get("UserProperties"), i)));
    }
    return events;
  }

  private JsonNode parse(String text, String what) throws PublishRefused {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return json.readTree(text);
    } catch (JacksonException e) {
      throw PublishRefused.badRequest(what + " is not valid JSON: " + brief(e));
    }
  }

  private static String partitionKey(JsonNode brokerProperties) throws PublishRefused {
    if (brokerProperties == null || brokerProperties.isNull()) {
      return null;
    }
    if (!brokerProperties.isObject()) {
      throw PublishRefused.badRequest(BROKER_PROPERTIES + " must be a JSON object");
    }
    JsonNode key = brokerProperties.get("PartitionKey");
    if (key == null || key.isNull()) {
      return null;
    }
    if (!key.isTextual()) {
      throw PublishRefused.badRequest("PartitionKey must be a string");
    }
    return key.textValue();
  }

  private static Header[] properties(HttpHeaders headers) {
    List<Header> properties = new ArrayList<>();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (NOT_PROPERTIES.contains(name) || name.startsWith("x-forwarded-")) {
        continue;
      }
      properties.add(new RecordHeader(header.getKey(), utf8(unquote(header.getValue()))));
    }
    return properties.isEmpty() ? NO_HEADERS : properties.toArray(Header[]::new);
  }

  private static Header[] userProperties(JsonNode properties, int index) throws PublishRefused {
    if (properties == null || properties.isNull()) {
      return NO_HEADERS;
    }
    if (!properties.isObject()) {
      throw PublishRefused.badRequest("UserProperties of event " + index + " must be an object");
    }
    List<Header> headers = new ArrayList<>(properties.size());
    Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      if (value.isContainerNode()) {
        throw PublishRefused.badRequest(
            "user property " + field.getKey() + " of event " + index + " must be a plain value");
      }
      headers.add(new RecordHeader(field.getKey(), value.isNull() ? null : utf8(value.asText())));
    }
    return headers.toArray(Header[]::new);
  }

  private static String unquote(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String brief(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline > 0 ? message.substring(0, newline) : message;
  }
}
