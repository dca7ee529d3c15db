package io.flod.broker.auth;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a token's resource URI names: the whole namespace (cluster), one topic, or one publisher of
 * a topic ({@code sb://ns.example/<topic>/publishers/<name>}). Scheme and host are not compared:
 * the signature, made with one cluster's random key, already ties the token to the cluster.
 */
public record ResourceScope(String topic, String publisher) {
  public static final ResourceScope NAMESPACE = new ResourceScope(null, null);

  public static ResourceScope parse(String resourceUri) throws SasToken.MalformedToken {
    String path;
    try {
      URI uri = new URI(resourceUri.contains("://") ? resourceUri : "sb://" + resourceUri);
      path = uri.getPath() == null ? "" : uri.getPath();
    } catch (URISyntaxException e) {
      throw new SasToken.MalformedToken("resource URI: " + e.getMessage());
    }
    String[] segments =
        java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    if (segments.length == 0) {
      return NAMESPACE;
    }
    if (segments.length == 1) {
      return new ResourceScope(segments[0], null);
    }
    if (segments.length == 3 && segments[1].equalsIgnoreCase("publishers")) {
      return new ResourceScope(segments[0], segments[2]);
    }
    throw new SasToken.MalformedToken("resource path names neither a topic nor a publisher");
  }
}
