package io.flod.broker.network;

import java.net.BindException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a listener on the port it was given or, when that port is taken by another process and
 * falling back is allowed, on a free port the OS picks. A port handed out ahead of time (by a
 * machine provider) can always be taken before the broker binds it, by any process's outgoing
 * connection; the broker then still starts, and advertises the port it actually bound.
 */
public final class ListenerBinding {
  private static final Logger log = LoggerFactory.getLogger(ListenerBinding.class);

  /** Binds one address; returns the address bound. */
  @FunctionalInterface
  public interface Binder {
    InetSocketAddress bind(InetSocketAddress address) throws InterruptedException;
  }

  /** A port that cannot be listened on, with the address in the message (Netty's has none). */
  public static final class PortInUseException extends RuntimeException {
    PortInUseException(String listener, InetSocketAddress address, Throwable cause) {
      super(
          "cannot listen on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " ("
              + listener
              + "): address already in use",
          cause);
    }
  }

  private ListenerBinding() {}

  /**
   * @param listener what listens, for messages ({@code Kafka}, {@code HTTP})
   * @param fallback whether a taken port may be replaced by a free one
   */
  public static InetSocketAddress bind(
      String listener, InetSocketAddress preferred, boolean fallback, Binder binder)
      throws InterruptedException {
    try {
      return binder.bind(preferred);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      if (!addressInUse(e)) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      if (!fallback || preferred.getPort() == 0) {
        throw new PortInUseException(listener, preferred, e);
      }
      InetSocketAddress any = new InetSocketAddress(preferred.getHostString(), 0);
      InetSocketAddress bound = binder.bind(any);
      log.warn(
          "{} port {} is taken by another process: listening on {} instead",
          listener,
          preferred.getPort(),
          bound);
      return bound;
    }
  }

  static boolean addressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || String.valueOf(t.getMessage()).toLowerCase().contains("address already in use")) {
        return true;
      }
    }
    return false;
  }
}
