package io.flod.broker.https;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Optional;

/**
 * Where an HTTPS publish goes, from its path as Event Hubs' REST API spells it: {@code
 * /<topic>/messages}, or {@code /<topic>/publishers/<name>/messages} to send as a publisher. Query
 * parameters ({@code timeout}, {@code api-version}) are accepted and ignored.
 */
record PublishRoute(String topic, String publisher) {
  static Optional<PublishRoute> parse(String uri) {
    List<String> segments =
        List.of(new QueryStringDecoder(uri).path().split("/")).stream()
            .filter(s -> !s.isEmpty())
            .map(s -> QueryStringDecoder.decodeComponent(s))
            .toList();
    if (segments.size() == 2 && segments.get(1).equals("messages")) {
      return Optional.of(new PublishRoute(segments.get(0), null));
    }
    if (segments.size() == 4
        && segments.get(1).equals("publishers")
        && segments.get(3).equals("messages")) {
      return Optional.of(new PublishRoute(segments.get(0), segments.get(2)));
    }
    return Optional.empty();
  }
}
