package io.flod.broker.https;

import io.flod.broker.metadata.TopicMetadata;
import io.flod.broker.metadata.TopicRegistry;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTPS publish, in the order a client's mistakes should be reported: credentials, the topic,
 * the events themselves, the publisher's key binding, then the quota (shared with the Kafka head,
 * and charged only for a request that goes ahead), then the send.
 */
final class HttpPublisher {
  private final PublishAuthorizer authorizer;
  private final TopicRegistry topics;
  private final ThroughputQuota ingress;
  private final ThrottleLog throttles;
  private final EventSender sender;
  private final HttpEventReader reader = new HttpEventReader();

  HttpPublisher(
      PublishAuthorizer authorizer,
      TopicRegistry topics,
      ThroughputQuota ingress,
      ThrottleLog throttles,
      EventSender sender) {
    this.authorizer = authorizer;
    this.topics = topics;
    this.ingress = ingress;
    this.throttles = throttles;
    this.sender = sender;
  }

  /** Completes when every event is acknowledged; refusals are thrown before anything is sent. */
  CompletableFuture<Void> publish(PublishRoute route, FullHttpRequest request, String client)
      throws PublishRefused {
    long receivedAt = System.currentTimeMillis();
    String publisher =
        authorizer.authorize(request.headers().get(HttpHeaderNames.AUTHORIZATION), route, client);
    TopicMetadata topic =
        topics
            .byName(route.topic())
            .filter(t -> !t.name().startsWith("__"))
            .orElseThrow(
                () ->
                    new PublishRefused(
                        HttpResponseStatus.NOT_FOUND,
                        "TopicNotFound",
                        "topic " + route.topic() + " does not exist"));
    List<HttpEvent> events = reader.read(request);
    if (publisher != null) {
      for (HttpEvent event : events) {
        if (event.partitionKey() != null && !event.partitionKey().equals(publisher)) {
          throw PublishRefused.badRequest(
              "events of publisher "
                  + publisher
                  + " take its name as partition key; got PartitionKey "
                  + event.partitionKey());
        }
      }
    }
    int bytes = request.content().readableBytes();
    int waitMs = ingress.admit(bytes, events.size());
    if (waitMs > 0) {
      // The partitions are chosen only for events that go ahead: -1 stands for "this topic".
      throttles.throttled(
          "ingress", List.of(new ThrottleLog.Load(topic.name(), -1, bytes, events.size())));
      int seconds = (waitMs + 999) / 1000;
      throw new PublishRefused(
          HttpResponseStatus.TOO_MANY_REQUESTS,
          "QuotaExceeded",
          "quota exceeded: the cluster's ingress is limited to "
              + ingress.describe()
              + "; retry after "
              + seconds
              + " s",
          seconds);
    }
    return sender.send(topic.name(), topic.partitionCount(), events, publisher, receivedAt);
  }
}
