package io.flod.broker.https;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why an HTTPS publish is answered with something other than 201: the status, a code a program can
 * switch on, a message a person can act on, and for 429 how many seconds to wait.
 */
final class PublishRefused extends Exception {
  private final HttpResponseStatus status;
  private final String code;
  private final int retryAfterSeconds;

  PublishRefused(HttpResponseStatus status, String code, String message) {
    this(status, code, message, 0);
  }

  PublishRefused(HttpResponseStatus status, String code, String message, int retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  static PublishRefused badRequest(String message) {
    return new PublishRefused(HttpResponseStatus.BAD_REQUEST, "BadRequest", message);
  }

  HttpResponseStatus status() {
    return status;
  }

  String code() {
    return code;
  }

  int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
