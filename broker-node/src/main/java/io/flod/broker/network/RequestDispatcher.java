package io.flod.broker.network;

import io.flod.broker.api.ApiRegistry;
import io.flod.broker.api.RequestContext;
import io.flod.broker.auth.AccessControl;
import io.flod.broker.metrics.BrokerMetrics;
import io.flod.broker.quota.ProduceCost;
import io.flod.broker.quota.ThrottleLog;
import io.flod.broker.quota.ThroughputQuota;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a decoded request's handler on the request-handler pool and turns any failure into that
 * API's error response. Errors a client can act on (Kafka's {@link ApiException}s) go back quietly;
 * anything else is a bug, logged once with the request's ids and answered as an unknown server
 * error.
 */
final class RequestDispatcher {
  private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
  private final ApiRegistry registry;
  private final Executor handlerPool;
  private final BrokerMetrics metrics;
  private final AccessControl access;
  private final ThroughputQuota ingress;
  private final ThrottleLog throttles;

  /** {@code access} null: no authorization (a listener without authentication). */
  RequestDispatcher(
      ApiRegistry registry,
      Executor handlerPool,
      BrokerMetrics metrics,
      AccessControl access,
      ThroughputQuota ingress,
      ThrottleLog throttles) {
    this.registry = registry;
    this.handlerPool = handlerPool;
    this.metrics = metrics;
    this.access = access;
    this.ingress = ingress;
    this.throttles = throttles;
  }

  ApiRegistry registry() {
    return registry;
  }

  CompletableFuture<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
    long startNanos = System.nanoTime();
    ApiRegistry.SupportedApi api =
        registry
            .find(context.apiKey())
            .orElseThrow(() -> new IllegalStateException("not routed: " + context.apiKey()));
    // Authorization (a publisher token's keys may be decompressed) and quota accounting read the
    // request's batches: on the handler pool, like the handler, never on the event loop.
    int[] throttle = new int[1];
    CompletableFuture<ApiMessage> response;
    try {
      response =
          CompletableFuture.supplyAsync(
                  () -> {
                    ApiException denied = authorize(context, request);
                    if (denied != null) {
                      return CompletableFuture.completedFuture(
                          request.getErrorResponse(denied).data());
                    }
                    if (request instanceof ProduceRequest produce && charged(context)) {
                      ProduceCost cost = ProduceCost.of(produce);
                      throttle[0] = ingress.record(cost.bytes(), cost.events());
                      if (throttle[0] > 0) {
                        throttles.throttled("ingress", ProduceCost.loads(produce));
                      }
                    }
                    return api.handler().handle(context, request);
                  },
                  handlerPool)
              .thenCompose(future -> future);
    } catch (RuntimeException rejected) {
      response = CompletableFuture.failedFuture(rejected);
    }
    return response.handle(
        (body, error) -> {
          metrics.recordRequest(context.apiKey(), System.nanoTime() - startNanos);
          if (error == null) {
            if (throttle[0] > 0 && body instanceof ProduceResponseData produced) {
              produced.setThrottleTimeMs(throttle[0]);
            }
            if (access != null && context.principal() != null) {
              access.filter(context.principal(), request, body);
            }
            return body;
          }
          Throwable cause = unwrap(error);
          if (cause instanceof RejectedExecutionException) {
            // The handler pool is closing: the broker is shutting down and the client is gone.
            log.debug("api={} dropped during shutdown", context.apiKey());
          } else if (!(cause instanceof ApiException)) {
            log.error(
                "client={} clientId={} api={} v{} correlationId={} failed",
                context.clientAddress(),
                context.clientId(),
                context.apiKey(),
                context.apiVersion(),
                context.header().correlationId(),
                cause);
          }
          return request.getErrorResponse(cause).data();
        });
  }

  /** Whether the request counts against the ingress quota (the HTTPS head's was counted). */
  private boolean charged(RequestContext context) {
    if (context.principal() != null) {
      return !context.principal().broker();
    }
    return access != null || !ThroughputQuota.HTTPS_HEAD_CLIENT_ID.equals(context.clientId());
  }

  /** Null when the request may run (or the listener has no authentication). */
  private ApiException authorize(RequestContext context, AbstractRequest request) {
    if (access == null || context.principal() == null) {
      return null;
    }
    ApiException denied = access.check(context.principal(), context.apiKey(), request);
    if (denied != null) {
      log.info(
          "client={} principal={} api={} refused: {}",
          context.clientAddress(),
          context.principal(),
          context.apiKey(),
          denied.getMessage());
    }
    return denied;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
