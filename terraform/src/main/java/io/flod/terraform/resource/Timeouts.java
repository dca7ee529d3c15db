package io.flod.terraform.resource;

import io.flod.terraform.cty.CtyType;
import io.flod.terraform.schema.Attribute;
import io.flod.terraform.schema.Block;
import java.time.Duration;
import java.util.List;

/** The {@code timeouts} block of resources whose changes are long operations. */
public final class Timeouts {
  public static final Duration DEFAULT = Duration.ofMinutes(60);
  public static final Block BLOCK =
      new Block(
          "How long create, update and delete wait for the control plane's operation (default"
              + " 60m). A timed-out apply leaves the operation running; the next apply resumes.",
          List.of(
              Attribute.optional("create", CtyType.STRING, "For example \"60m\"."),
              Attribute.optional("update", CtyType.STRING, "For example \"60m\"."),
              Attribute.optional("delete", CtyType.STRING, "For example \"60m\".")));

  private Timeouts() {}
}
