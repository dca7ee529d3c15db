package io.flod.broker.auth;

/** What a SAS rule allows, as in Event Hubs: manage implies the other two. */
public enum Right {
  SEND,
  LISTEN,
  MANAGE
}
