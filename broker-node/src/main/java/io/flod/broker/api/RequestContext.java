package io.flod.broker.api;

import io.flod.broker.auth.Principal;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who sent a request and how: the parsed header, the client's address, and the principal it
 * authenticated as (null on a listener without authentication), for handlers and logs.
 */
public record RequestContext(RequestHeader header, String clientAddress, Principal principal) {
  public RequestContext(RequestHeader header, String clientAddress) {
    this(header, clientAddress, null);
  }

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
