package io.flod.broker.api;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Serves one Kafka API. Runs on a request-handler thread, never on the network event loop, so it
 * may touch the disk; a handler that must wait (a long-polling fetch) returns a future that
 * completes later instead of blocking. A future completing with null sends no response (a produce
 * with acks=0). An exception becomes the API's error response through {@link
 * AbstractRequest#getErrorResponse}.
 */
@FunctionalInterface
public interface ApiHandler<Q extends AbstractRequest> {
  CompletableFuture<ApiMessage> handle(RequestContext context, Q request);
}
