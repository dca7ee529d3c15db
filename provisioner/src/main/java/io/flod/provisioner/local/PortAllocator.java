package io.flod.provisioner.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * The ports the local provider gives its machines' brokers: each is free when handed out (the OS
 * picks it) and never one this provider gave to another machine still there. Asking the OS alone is
 * not enough: a port it handed out and saw closed again can be handed out again, so two machines
 * made at once could be given the same port. A port can still be taken by another process before
 * the broker binds it; brokers then fall back to a free port and their agents report the port
 * bound. Thread-safe.
 */
final class PortAllocator {
  private static final int ATTEMPTS = 1_000;
  private final Set<Integer> given = new HashSet<>();
  private final IntSupplier osFreePort;

  PortAllocator() {
    this(PortAllocator::osFreePort);
  }

  /** With another source of candidate ports (tests). */
  PortAllocator(IntSupplier candidates) {
    this.osFreePort = candidates;
  }

  /** A free port no machine of this provider holds. */
  synchronized int next() {
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = osFreePort.getAsInt();
      if (given.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "no free port that no local machine holds after " + ATTEMPTS + " tries");
  }

  /** Marks a port as held (a machine found on disk at start). */
  synchronized void reserve(int port) {
    if (port > 0) {
      given.add(port);
    }
  }

  /** Gives a destroyed machine's port back. */
  synchronized void release(int port) {
    given.remove(port);
  }

  synchronized boolean held(int port) {
    return given.contains(port);
  }

  private static int osFreePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }
}
