package io.flod.terraform.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.flod.api.client.FlodClient;
import io.flod.terraform.cty.CtyType;
import io.flod.terraform.cty.JsonValues;
import io.flod.terraform.cty.MsgpackValues;
import io.flod.terraform.protocol.tfplugin6.ProviderGrpc;
import io.flod.terraform.protocol.tfplugin6.Tfplugin6;
import io.flod.terraform.protocol.tfplugin6.Tfplugin6.Diagnostic;
import io.flod.terraform.resource.AuthorizationRuleResource;
import io.flod.terraform.resource.ClusterDataSource;
import io.flod.terraform.resource.ClusterResource;
import io.flod.terraform.resource.ConsumerGroupResource;
import io.flod.terraform.resource.DataSourceType;
import io.flod.terraform.resource.FlodApi;
import io.flod.terraform.resource.Planner;
import io.flod.terraform.resource.ProviderException;
import io.flod.terraform.resource.ResourceType;
import io.flod.terraform.resource.TopicDataSource;
import io.flod.terraform.resource.TopicResource;
import io.flod.terraform.resource.Values;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The tfplugin6.Provider service: decodes Terraform's values against each type's schema, hands them
 * to the resource types and the {@link Planner}, and turns every failure into a diagnostic (never
 * an RPC error, so Terraform shows the reason and the plugin keeps serving).
 */
public final class ProviderService extends ProviderGrpc.ProviderImplBase {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Block PROVIDER_SCHEMA =
      new Block(
          "Flod: managed Kafka-compatible clusters.",
          List.of(
              Attribute.optional(
                  "endpoint", CtyType.STRING, "Control plane URL (or FLOD_ENDPOINT)."),
              Attribute.optional("api_key", CtyType.STRING, "Tenant API key (or FLOD_API_KEY).")
                  .asSensitive(),
              Attribute.optional(
                  "tenant", CtyType.STRING, "Tenant the resources belong to (or FLOD_TENANT).")));

  private final Map<String, ResourceType> resources = new LinkedHashMap<>();
  private final Map<String, DataSourceType> dataSources = new LinkedHashMap<>();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Map<String, String> environment;
  private volatile FlodApi api;

  public ProviderService(Map<String, String> environment) {
    this.environment = environment;
    Supplier<FlodApi> configured =
        () -> {
          FlodApi a = api;
          if (a == null) {
            throw new ProviderException(
                "Provider not configured", "ConfigureProvider was not called.");
          }
          return a;
        };
    for (ResourceType r :
        List.of(
            new ClusterResource(configured),
            new TopicResource(configured),
            new ConsumerGroupResource(configured),
            new AuthorizationRuleResource(configured))) {
      resources.put(r.typeName(), r);
    }
    for (DataSourceType d :
        List.of(new ClusterDataSource(configured), new TopicDataSource(configured))) {
      dataSources.put(d.typeName(), d);
    }
  }

  @Override
  public void getProviderSchema(
      Tfplugin6.GetProviderSchema.Request request,
      StreamObserver<Tfplugin6.GetProviderSchema.Response> out) {
    Tfplugin6.GetProviderSchema.Response.Builder response =
        Tfplugin6.GetProviderSchema.Response.newBuilder()
            .setProvider(PROVIDER_SCHEMA.toProto(0))
            .setServerCapabilities(
                Tfplugin6.ServerCapabilities.newBuilder().setGetProviderSchemaOptional(true));
    resources.forEach((name, r) -> response.putResourceSchemas(name, r.schema().toProto(0)));
    dataSources.forEach((name, d) -> response.putDataSourceSchemas(name, d.schema().toProto(0)));
    reply(out, response.build());
  }

  @Override
  public void getMetadata(
      Tfplugin6.GetMetadata.Request request, StreamObserver<Tfplugin6.GetMetadata.Response> out) {
    Tfplugin6.GetMetadata.Response.Builder response =
        Tfplugin6.GetMetadata.Response.newBuilder()
            .setServerCapabilities(
                Tfplugin6.ServerCapabilities.newBuilder().setGetProviderSchemaOptional(true));
    resources
        .keySet()
        .forEach(
            n ->
                response.addResources(
                    Tfplugin6.GetMetadata.ResourceMetadata.newBuilder().setTypeName(n)));
    dataSources
        .keySet()
        .forEach(
            n ->
                response.addDataSources(
                    Tfplugin6.GetMetadata.DataSourceMetadata.newBuilder().setTypeName(n)));
    reply(out, response.build());
  }

  @Override
  public void validateProviderConfig(
      Tfplugin6.ValidateProviderConfig.Request request,
      StreamObserver<Tfplugin6.ValidateProviderConfig.Response> out) {
    Tfplugin6.ValidateProviderConfig.Response.Builder response =
        Tfplugin6.ValidateProviderConfig.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          Map<String, Object> config = decode(request.getConfig(), PROVIDER_SCHEMA.type());
          String endpoint = Values.string(config, "endpoint");
          if (endpoint != null && !endpoint.matches("https?://.+")) {
            throw new ProviderException(
                "Invalid endpoint", "endpoint must be an http(s) URL", "endpoint");
          }
        });
    reply(out, response.build());
  }

  @Override
  public void configureProvider(
      Tfplugin6.ConfigureProvider.Request request,
      StreamObserver<Tfplugin6.ConfigureProvider.Response> out) {
    Tfplugin6.ConfigureProvider.Response.Builder response =
        Tfplugin6.ConfigureProvider.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          Map<String, Object> config = decode(request.getConfig(), PROVIDER_SCHEMA.type());
          String endpoint = setting(config, "endpoint", "FLOD_ENDPOINT");
          String key = setting(config, "api_key", "FLOD_API_KEY");
          String tenant = setting(config, "tenant", "FLOD_TENANT");
          api =
              new FlodApi(
                  new FlodClient(
                      URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"), key),
                  tenant,
                  stopping::get);
        });
    reply(out, response.build());
  }

  private String setting(Map<String, Object> config, String attribute, String variable) {
    String value = Values.string(config, attribute);
    if (value == null) {
      value = environment.get(variable);
    }
    if (value == null || value.isBlank()) {
      throw new ProviderException(
          "Missing " + attribute,
          "Set " + attribute + " in the provider block or " + variable + " in the environment.",
          attribute);
    }
    return value;
  }

  @Override
  public void validateResourceConfig(
      Tfplugin6.ValidateResourceConfig.Request request,
      StreamObserver<Tfplugin6.ValidateResourceConfig.Response> out) {
    Tfplugin6.ValidateResourceConfig.Response.Builder response =
        Tfplugin6.ValidateResourceConfig.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          ResourceType r = resource(request.getTypeName());
          r.validate(decode(request.getConfig(), r.schema().type()));
        });
    reply(out, response.build());
  }

  @Override
  public void validateDataResourceConfig(
      Tfplugin6.ValidateDataResourceConfig.Request request,
      StreamObserver<Tfplugin6.ValidateDataResourceConfig.Response> out) {
    reply(out, Tfplugin6.ValidateDataResourceConfig.Response.getDefaultInstance());
  }

  @Override
  public void upgradeResourceState(
      Tfplugin6.UpgradeResourceState.Request request,
      StreamObserver<Tfplugin6.UpgradeResourceState.Response> out) {
    Tfplugin6.UpgradeResourceState.Response.Builder response =
        Tfplugin6.UpgradeResourceState.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          ResourceType r = resource(request.getTypeName());
          CtyType type = r.schema().type();
          Object state =
              JsonValues.decode(type, JSON.readTree(request.getRawState().getJson().toByteArray()));
          response.setUpgradedState(encode(type, state));
        });
    reply(out, response.build());
  }

  @Override
  public void readResource(
      Tfplugin6.ReadResource.Request request, StreamObserver<Tfplugin6.ReadResource.Response> out) {
    Tfplugin6.ReadResource.Response.Builder response =
        Tfplugin6.ReadResource.Response.newBuilder().setPrivate(request.getPrivate());
    guard(
        response::addDiagnostics,
        () -> {
          ResourceType r = resource(request.getTypeName());
          CtyType type = r.schema().type();
          Map<String, Object> current = decode(request.getCurrentState(), type);
          Optional<Map<String, Object>> now = current == null ? Optional.empty() : r.read(current);
          response.setNewState(encode(type, now.orElse(null)));
        });
    reply(out, response.build());
  }

  @Override
  public void planResourceChange(
      Tfplugin6.PlanResourceChange.Request request,
      StreamObserver<Tfplugin6.PlanResourceChange.Response> out) {
    Tfplugin6.PlanResourceChange.Response.Builder response =
        Tfplugin6.PlanResourceChange.Response.newBuilder()
            .setPlannedPrivate(request.getPriorPrivate());
    guard(
        response::addDiagnostics,
        () -> {
          ResourceType r = resource(request.getTypeName());
          CtyType type = r.schema().type();
          Map<String, Object> prior = decode(request.getPriorState(), type);
          Map<String, Object> proposed = decode(request.getProposedNewState(), type);
          Map<String, Object> config = decode(request.getConfig(), type);
          Planner.Plan plan = Planner.plan(r, prior, proposed, config == null ? Map.of() : config);
          response.setPlannedState(encode(type, plan.planned()));
          for (String attribute : plan.requiresReplace()) {
            response.addRequiresReplace(path(attribute));
          }
        });
    reply(out, response.build());
  }

  @Override
  public void applyResourceChange(
      Tfplugin6.ApplyResourceChange.Request request,
      StreamObserver<Tfplugin6.ApplyResourceChange.Response> out) {
    Tfplugin6.ApplyResourceChange.Response.Builder response =
        Tfplugin6.ApplyResourceChange.Response.newBuilder().setPrivate(request.getPlannedPrivate());
    ResourceType[] type = new ResourceType[1];
    Map<String, Object>[] priorState = new Map[1];
    boolean ok =
        guard(
            response::addDiagnostics,
            () -> {
              ResourceType r = resource(request.getTypeName());
              type[0] = r;
              CtyType t = r.schema().type();
              Map<String, Object> prior = decode(request.getPriorState(), t);
              priorState[0] = prior;
              Map<String, Object> planned = decode(request.getPlannedState(), t);
              Map<String, Object> result;
              if (planned == null) {
                r.delete(prior);
                result = null;
              } else if (prior == null) {
                result = r.create(planned);
              } else {
                result = r.update(prior, planned);
              }
              response.setNewState(encode(t, result));
            });
    if (!ok && type[0] != null && priorState[0] != null && !response.hasNewState()) {
      // A failed update or delete leaves the object as it was: keep it in the state.
      response.setNewState(encode(type[0].schema().type(), priorState[0]));
    }
    reply(out, response.build());
  }

  @Override
  public void importResourceState(
      Tfplugin6.ImportResourceState.Request request,
      StreamObserver<Tfplugin6.ImportResourceState.Response> out) {
    Tfplugin6.ImportResourceState.Response.Builder response =
        Tfplugin6.ImportResourceState.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          ResourceType r = resource(request.getTypeName());
          Map<String, Object> state = r.importState(request.getId());
          response.addImportedResources(
              Tfplugin6.ImportResourceState.ImportedResource.newBuilder()
                  .setTypeName(request.getTypeName())
                  .setState(encode(r.schema().type(), state)));
        });
    reply(out, response.build());
  }

  @Override
  public void readDataSource(
      Tfplugin6.ReadDataSource.Request request,
      StreamObserver<Tfplugin6.ReadDataSource.Response> out) {
    Tfplugin6.ReadDataSource.Response.Builder response =
        Tfplugin6.ReadDataSource.Response.newBuilder();
    guard(
        response::addDiagnostics,
        () -> {
          DataSourceType d = dataSources.get(request.getTypeName());
          if (d == null) {
            throw new ProviderException(
                "Unknown data source", "This provider has no " + request.getTypeName());
          }
          CtyType type = d.schema().type();
          response.setState(encode(type, d.read(decode(request.getConfig(), type))));
        });
    reply(out, response.build());
  }

  @Override
  public void stopProvider(
      Tfplugin6.StopProvider.Request request, StreamObserver<Tfplugin6.StopProvider.Response> out) {
    stopping.set(true); // long waits notice within a second and return with a diagnostic
    reply(out, Tfplugin6.StopProvider.Response.getDefaultInstance());
  }

  private ResourceType resource(String name) {
    ResourceType r = resources.get(name);
    if (r == null) {
      throw new ProviderException("Unknown resource type", "This provider has no " + name);
    }
    return r;
  }

  private interface Body {
    void run() throws Exception;
  }

  /** Runs the body; any failure becomes an error diagnostic. True when it succeeded. */
  private static boolean guard(java.util.function.Consumer<Diagnostic> sink, Body body) {
    try {
      body.run();
      return true;
    } catch (ProviderException e) {
      Diagnostic.Builder d =
          Diagnostic.newBuilder()
              .setSeverity(Diagnostic.Severity.ERROR)
              .setSummary(e.summary())
              .setDetail(e.getMessage() == null ? "" : e.getMessage());
      if (e.attribute() != null) {
        d.setAttribute(path(e.attribute()));
      }
      sink.accept(d.build());
    } catch (Exception e) {
      sink.accept(
          Diagnostic.newBuilder()
              .setSeverity(Diagnostic.Severity.ERROR)
              .setSummary("Provider error")
              .setDetail(e.toString())
              .build());
    }
    return false;
  }

  private static Tfplugin6.AttributePath path(String attribute) {
    return Tfplugin6.AttributePath.newBuilder()
        .addSteps(Tfplugin6.AttributePath.Step.newBuilder().setAttributeName(attribute))
        .build();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> decode(Tfplugin6.DynamicValue value, CtyType type) throws IOException {
    if (!value.getMsgpack().isEmpty()) {
      return (Map<String, Object>) MsgpackValues.decode(type, value.getMsgpack().toByteArray());
    }
    if (!value.getJson().isEmpty()) {
      return (Map<String, Object>)
          JsonValues.decode(type, JSON.readTree(value.getJson().toByteArray()));
    }
    return null;
  }

  static Tfplugin6.DynamicValue encode(CtyType type, Object value) {
    return Tfplugin6.DynamicValue.newBuilder()
        .setMsgpack(ByteString.copyFrom(MsgpackValues.encode(type, value)))
        .build();
  }

  private static <T> void reply(StreamObserver<T> out, T response) {
    out.onNext(response);
    out.onCompleted();
  }
}
