package io.flod.broker.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Whether a port on the loopback address can be listened on: for commands with a default port. */
public final class LoopbackPorts {
  private LoopbackPorts() {}

  public static boolean isFree(int port) {
    try (ServerSocket ignored = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
