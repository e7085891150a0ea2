package dev.tasksync.replication;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where this replica's Dapr sidecar takes publications (gRPC, the Dapr SDK's {@code DaprClient}).
 * The sidecar injector and the Dapr CLI set {@code DAPR_GRPC_PORT} for the app; without either
 * setting the app has no sidecar to publish through, and presence and signals stay on this replica.
 *
 * @param grpcEndpoint the sidecar's gRPC endpoint, e.g. {@code http://127.0.0.1:50001}
 * @param grpcPort the sidecar's gRPC port on loopback, when no endpoint is given (0: none)
 */
@Validated
@ConfigurationProperties("tasksync.sidecar")
public record SidecarProperties(String grpcEndpoint, @DefaultValue("0") @Min(0) @Max(65535) int grpcPort) {

    /** The endpoint to publish to, or null when there is no sidecar. */
    public String endpoint() {
        if (grpcEndpoint != null && !grpcEndpoint.isBlank()) {
            return grpcEndpoint;
        }
        return grpcPort > 0 ? "http://127.0.0.1:" + grpcPort : null;
    }
}
