package dev.tasksync.dev;

import dev.tasksync.auth.TokenMinter;
import dev.tasksync.config.AuthProperties;
import dev.tasksync.config.DaprProperties;
import dev.tasksync.config.DevProperties;
import dev.tasksync.fanout.EventLog;
import dev.tasksync.ingress.DaprReply;
import dev.tasksync.ingress.DaprIntake;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Dev-mode helpers for {@code make run} and the demo page: mint a token for any user with
 * the configured HS256 secret, and publish a task event the way the backend would.
 */
@RestController
@ConditionalOnBooleanProperty("tasksync.dev.enabled")
public class DevController {

    private final AuthProperties auth;
    private final DaprProperties dapr;
    private final DevProperties dev;
    private final DaprIntake ingress;
    private final Clock clock;
    private final EventLog events;
    private final WebClient daprClient;
    private final TokenMinter minter;

    public DevController(AuthProperties auth, DaprProperties dapr, DevProperties dev, DaprIntake ingress,
            Clock clock, EventLog events) {
        this.auth = auth;
        this.dapr = dapr;
        this.dev = dev;
        this.ingress = ingress;
        this.clock = clock;
        this.events = events;
        this.minter = auth.hasSecret() ? new TokenMinter(auth) : null;
        this.daprClient = dev.daprHttpEndpoint() == null || dev.daprHttpEndpoint().isBlank() ? null
                : WebClient.builder().baseUrl(dev.daprHttpEndpoint()).build();
    }

    /** {@code GET /dev/token?user_id=alice[&topics=list:*,gifts:all][&admin=true]}. */
    @GetMapping(path = "/dev/token", produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<Map<String, String>> token(@RequestParam("user_id") String userId,
            @RequestParam(name = "topics", defaultValue = "") String topics,
            @RequestParam(name = "admin", defaultValue = "false") boolean admin) {
        if (minter == null || userId.isBlank()) {
            return ResponseEntity.status(HttpStatus.BAD_REQUEST)
                    .body(Map.of("error", "dev tokens need an HS256 secret and a user_id"));
        }
        List<String> grants = Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        String token = minter.mint(userId, clock.instant(), dev.tokenTtl(), grants, admin);
        return ResponseEntity.ok(Map.of("token", token, "user_id", userId));
    }

    /**
     * {@code GET /dev/history?user_id=alice}: the user's task events this process still holds,
     * oldest first. The demo page has no backend of its own; this stands in for "refetch your
     * state" when the server says {@code resync_required} (e.g. after a restart).
     */
    @GetMapping(path = "/dev/history", produces = MediaType.APPLICATION_JSON_VALUE)
    public byte[] history(@RequestParam("user_id") String userId) {
        var out = new java.io.ByteArrayOutputStream();
        out.write('[');
        boolean first = true;
        for (byte[] frame : events.userHistory(userId)) {
            if (!first) {
                out.write(',');
            }
            out.writeBytes(frame);
            first = false;
        }
        out.write(']');
        return out.toByteArray();
    }

    /** Publishes through the local daprd when one is configured, else straight into the route's handler. */
    @PostMapping(path = "/dev/publish", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DaprReply> publish(@RequestBody byte[] body) {
        if (daprClient == null) {
            return Mono.just(ingress.handle(body, MediaType.APPLICATION_JSON));
        }
        return daprClient.post()
                .uri("/v1.0/publish/{pubsub}/{topic}", dapr.pubsubName(), dapr.topic())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .retrieve()
                .toBodilessEntity()
                .thenReturn(DaprReply.SUCCESS);
    }
}
