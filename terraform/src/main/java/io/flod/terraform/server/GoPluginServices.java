package io.flod.terraform.server;

import com.google.protobuf.Empty;
import io.flod.terraform.protocol.goplugin.ConnInfo;
import io.flod.terraform.protocol.goplugin.GRPCBrokerGrpc;
import io.flod.terraform.protocol.goplugin.GRPCControllerGrpc;
import io.flod.terraform.protocol.goplugin.GRPCStdioGrpc;
import io.flod.terraform.protocol.goplugin.StdioData;
import io.flod.terraform.protocol.health.HealthCheckRequest;
import io.flod.terraform.protocol.health.HealthCheckResponse;
import io.flod.terraform.protocol.health.HealthGrpc;
import io.grpc.stub.StreamObserver;

/**
 * The services go-plugin expects beside the provider: the controller's Shutdown (the plugin must
 * exit within two seconds of it), the stdio stream (held open; nothing is mirrored because logs go
 * to stderr already), the broker stream (held open; no sub-plugins) and health ("plugin" serving).
 */
final class GoPluginServices {
  private GoPluginServices() {}

  static final class Controller extends GRPCControllerGrpc.GRPCControllerImplBase {
    private final Runnable shutdown;

    Controller(Runnable shutdown) {
      this.shutdown = shutdown;
    }

    @Override
    public void shutdown(
        io.flod.terraform.protocol.goplugin.Empty request,
        StreamObserver<io.flod.terraform.protocol.goplugin.Empty> out) {
      out.onNext(io.flod.terraform.protocol.goplugin.Empty.getDefaultInstance());
      out.onCompleted();
      shutdown.run();
    }
  }

  static final class Stdio extends GRPCStdioGrpc.GRPCStdioImplBase {
    @Override
    public void streamStdio(Empty request, StreamObserver<StdioData> out) {
      // Held open until the process ends.
    }
  }

  static final class Broker extends GRPCBrokerGrpc.GRPCBrokerImplBase {
    @Override
    public StreamObserver<ConnInfo> startStream(StreamObserver<ConnInfo> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(ConnInfo value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  static final class Health extends HealthGrpc.HealthImplBase {
    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> out) {
      out.onNext(
          HealthCheckResponse.newBuilder()
              .setStatus(HealthCheckResponse.ServingStatus.SERVING)
              .build());
      out.onCompleted();
    }
  }
}
