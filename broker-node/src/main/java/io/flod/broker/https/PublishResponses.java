package io.flod.broker.https;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;

/** The HTTPS head's answers: 201 with no body, or an error as {@code {"code", "message"}}. */
final class PublishResponses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PublishResponses() {}

  static FullHttpResponse created() {
    FullHttpResponse http =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED);
    http.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return http;
  }

  static FullHttpResponse error(PublishRefused refused) {
    return error(
        refused.status(), refused.code(), refused.getMessage(), refused.retryAfterSeconds());
  }

  static FullHttpResponse error(
      HttpResponseStatus status, String code, String message, int retryAfterSeconds) {
    Map<String, String> problem = new LinkedHashMap<>();
    problem.put("code", code);
    problem.put("message", message);
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(problem);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("two strings always serialize", e);
    }
    FullHttpResponse http =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    http.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (retryAfterSeconds > 0) {
      http.headers().setInt(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
    }
    if (status.equals(HttpResponseStatus.UNAUTHORIZED)) {
      http.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "SharedAccessSignature");
    }
    return http;
  }
}
