package io.flod.broker.group;

/** A protocol (an assignor, for consumers) a member supports, with its subscription metadata. */
public record MemberProtocol(String name, byte[] metadata) {}
