package io.flod.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A consumer group of a topic. {@code lag} (events behind the log end, summed over partitions) is
 * absent until the brokers report it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConsumerGroupView(String name, String userMetadata, Long lag) {}
