package io.flod.broker.producer;

/** Hands out producer ids that are never reused within a cluster. */
public interface ProducerIdAllocator {
  long nextProducerId();
}
