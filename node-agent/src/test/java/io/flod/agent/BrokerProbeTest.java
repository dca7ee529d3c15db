package io.flod.agent;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Liveness is not readiness: a broker at its connection limit closes the probe's connection at
 * once, which proves its event loop runs (an agent must not kill it for that, or a connection flood
 * gets brokers killed); a port that accepts and never answers, or nothing listening, is not alive.
 */
class BrokerProbeTest {
  @Test
  void aBrokerThatClosesTheProbeAtOnceIsAliveButNotReady() throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      Thread closer =
          new Thread(
              () -> {
                try {
                  while (true) {
                    server.accept().close();
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      closer.start();
      BrokerProbe probe = new BrokerProbe(address(server));
      assertTrue(probe.alive(2_000));
      assertFalse(probe.ready(2_000));
    }
  }

  @Test
  void aPortThatAcceptsAndNeverAnswersIsNotAlive() throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0)) {
      Thread holder =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(server.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      holder.start();
      assertFalse(new BrokerProbe(address(server)).alive(300));
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void nothingListeningIsNotAlive() throws Exception {
    InetSocketAddress gone;
    try (ServerSocket server = new ServerSocket(0)) {
      gone = address(server);
    }
    assertFalse(new BrokerProbe(gone).alive(300));
  }

  private static InetSocketAddress address(ServerSocket server) {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }
}
