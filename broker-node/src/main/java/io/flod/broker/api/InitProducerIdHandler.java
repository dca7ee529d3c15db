package io.flod.broker.api;

import io.flod.broker.producer.ProducerIdAllocator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0 each time, as Kafka gives
 * non-transactional producers (an epoch bump request also gets a fresh id). Transactions are not
 * supported, so a transactional id is refused.
 */
public final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
  private final ProducerIdAllocator allocator;

  public InitProducerIdHandler(ProducerIdAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public CompletableFuture<ApiMessage> handle(
      RequestContext context, InitProducerIdRequest request) {
    InitProducerIdResponseData response = new InitProducerIdResponseData();
    if (request.data().transactionalId() != null) {
      return CompletableFuture.completedFuture(
          response
              .setErrorCode(Errors.INVALID_REQUEST.code())
              .setProducerId(-1)
              .setProducerEpoch((short) -1));
    }
    return CompletableFuture.completedFuture(
        response.setProducerId(allocator.nextProducerId()).setProducerEpoch((short) 0));
  }
}
