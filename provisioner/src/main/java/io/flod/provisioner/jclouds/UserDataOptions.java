package io.flod.provisioner.jclouds;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jclouds.aws.ec2.compute.AWSEC2TemplateOptions;
import org.jclouds.azurecompute.arm.compute.options.AzureTemplateOptions;
import org.jclouds.compute.options.TemplateOptions;

/**
 * jclouds has no provider-neutral user data option, so each provider's own is used: EC2's user
 * data, Azure's custom data (base64, as the Azure API expects it), and for everything else
 * (google-compute-engine, the in-memory stub, Flod's local provider) the {@value #METADATA_KEY}
 * metadata entry, which is where cloud-init on Google images looks for it.
 */
public final class UserDataOptions {
  public static final String METADATA_KEY = "user-data";

  private UserDataOptions() {}

  public static void attach(TemplateOptions options, String userData) {
    if (options instanceof AWSEC2TemplateOptions ec2) {
      ec2.userData(userData.getBytes(StandardCharsets.UTF_8));
    } else if (options instanceof AzureTemplateOptions azure) {
      azure.customData(
          Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)));
    } else {
      options.userMetadata(METADATA_KEY, userData);
    }
  }
}
