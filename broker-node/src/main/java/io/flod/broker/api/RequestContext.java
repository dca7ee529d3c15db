package io.flod.broker.api;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request and how: the parsed header and the client's address, for handlers and logs.
 */
public record RequestContext(RequestHeader header, String clientAddress) {
  public ApiKeys apiKey() {
    return header.apiKey();
  }

  public short apiVersion() {
    return header.apiVersion();
  }

  public String clientId() {
    return header.clientId();
  }
}
