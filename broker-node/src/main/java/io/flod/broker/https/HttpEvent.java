package io.flod.broker.https;

import org.apache.kafka.common.header.Header;

/**
 * One event as it arrived over HTTPS: its body, the partition key from {@code BrokerProperties}
 * (null: none), and its user properties, which become the Kafka record's headers.
 */
record HttpEvent(byte[] body, String partitionKey, Header[] properties) {}
