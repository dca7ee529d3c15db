package io.flod.controlplane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flod.api.ApiKeyView;
import io.flod.api.Problem;
import io.flod.api.TenantCreate;
import io.flod.api.TenantPatch;
import io.flod.api.TenantView;
import io.flod.controlplane.ControlPlane;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.junit.jupiter.api.Test;

/** The OpenAPI document says exactly what the resources serve, with the records' exact fields. */
class OpenApiDocumentTest {
  private static final Set<String> VERBS = Set.of("get", "put", "post", "patch", "delete");

  private static JsonNode document() throws Exception {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(OpenApiResource.DOCUMENT)) {
      return new ObjectMapper().readTree(in);
    }
  }

  @Test
  void everyServedOperationIsDocumentedAndNothingElse() throws Exception {
    Set<String> documented = new TreeSet<>();
    Iterator<java.util.Map.Entry<String, JsonNode>> paths = document().get("paths").fields();
    while (paths.hasNext()) {
      var path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              verb -> {
                if (VERBS.contains(verb)) {
                  documented.add(verb.toUpperCase() + " " + path.getKey());
                }
              });
    }
    Set<String> served = new TreeSet<>();
    for (Class<?> resource : ControlPlane.RESOURCES) {
      collect(Resource.from(resource), "", served);
    }
    assertEquals(served, documented);
  }

  private static void collect(Resource resource, String prefix, Set<String> out) {
    String path = normalise(prefix + "/" + resource.getPath());
    for (ResourceMethod method : resource.getResourceMethods()) {
      out.add(method.getHttpMethod() + " " + path);
    }
    for (Resource child : resource.getChildResources()) {
      collect(child, path, out);
    }
  }

  private static String normalise(String path) {
    String collapsed = path.replaceAll("/+", "/");
    return collapsed.length() > 1 && collapsed.endsWith("/")
        ? collapsed.substring(0, collapsed.length() - 1)
        : collapsed;
  }

  @Test
  void everySchemaHasTheFieldsOfItsRecord() throws Exception {
    JsonNode schemas = document().get("components").get("schemas");
    for (Class<?> type :
        new Class<?>[] {
          TenantView.class,
          TenantCreate.class,
          TenantPatch.class,
          ApiKeyView.class,
          Problem.class,
          io.flod.api.ClusterSpec.class,
          io.flod.api.ClusterPatch.class,
          io.flod.api.ClusterView.class,
          io.flod.api.OperationView.class,
          io.flod.api.TopicSpec.class,
          io.flod.api.TopicPatch.class,
          io.flod.api.TopicView.class,
          io.flod.api.AuthorizationRuleSpec.class,
          io.flod.api.AuthorizationRulePatch.class,
          io.flod.api.AuthorizationRuleView.class,
          io.flod.api.AuthorizationRuleKeys.class,
          io.flod.api.RegenerateKeyRequest.class,
          io.flod.api.ConsumerGroupSpec.class,
          io.flod.api.ConsumerGroupPatch.class,
          io.flod.api.PublisherView.class,
          io.flod.api.ThrottlingReport.class,
          io.flod.api.ConsumerGroupView.class,
          io.flod.api.ScalePlan.class,
          io.flod.api.AgentRegistration.class,
          io.flod.api.AgentAssignment.class,
          io.flod.api.AgentHeartbeat.class,
          io.flod.api.AgentInstruction.class
        }) {
      Set<String> fields = new TreeSet<>();
      Arrays.stream(type.getRecordComponents()).forEach(c -> fields.add(c.getName()));
      Set<String> documented = new TreeSet<>();
      schemas
          .get(type.getSimpleName())
          .get("properties")
          .fieldNames()
          .forEachRemaining(documented::add);
      assertEquals(fields, documented, "schema " + type.getSimpleName());
    }
  }
}
