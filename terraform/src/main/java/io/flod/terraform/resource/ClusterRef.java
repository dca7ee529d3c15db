package io.flod.terraform.resource;

/**
 * A {@code cluster_id} attribute ({@code <tenant>/<cluster>}, a flod_cluster's id) and the API path
 * it names. Topics, consumer groups and rules all hang off one.
 */
public record ClusterRef(String tenant, String cluster) {
  /** The reference in {@code cluster_id}, or a diagnostic on that attribute. */
  public static ClusterRef parse(String clusterId) {
    String[] parts = clusterId == null ? new String[0] : clusterId.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new ProviderException(
          "Invalid cluster_id",
          "cluster_id is a flod_cluster's id, <tenant>/<cluster>, not \"" + clusterId + "\"",
          "cluster_id");
    }
    return new ClusterRef(parts[0], parts[1]);
  }

  /** Checks a configuration's {@code cluster_id} when it is known. */
  public static void check(java.util.Map<String, Object> config) {
    String clusterId = Values.string(config, "cluster_id");
    if (clusterId != null) {
      parse(clusterId);
    }
  }

  public String id() {
    return tenant + "/" + cluster;
  }

  public String path() {
    return "/v1/tenants/" + tenant + "/clusters/" + cluster;
  }

  public String topicPath(String topic) {
    return path() + "/topics/" + topic;
  }
}
