package dev.tasksync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tasksync.support.TasksyncInstance;
import dev.tasksync.support.Tokens;
import dev.tasksync.support.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Tokens never reach the log, even with everything at TRACE, in the default and the JSON format. */
@ExtendWith(OutputCaptureExtension.class)
class LoggingTokenTest {

    // The test's own WebSocket client shares this JVM's logging and prints its request URI;
    // it is not the server, so it alone is kept at INFO.
    private static final String[] TRACE_EVERYTHING = {"--logging.level.root=TRACE",
            "--logging.level.reactor.netty.http.client=INFO"};

    private final String good = Tokens.forUser("alice");
    private final String bad = Tokens.wrongSignature("mallory");
    private final String expired = Tokens.expired("eve");

    @Test
    void tokensAreNotLoggedAtTrace(CapturedOutput output) throws Exception {
        try (var app = TasksyncInstance.start(Tokens.SECRET, TRACE_EVERYTHING)) {
            driveTraffic(app);
        }
        String log = output.getAll();
        assertThat(log).as("the run logged at TRACE").contains(" TRACE ");
        assertNoTokens(log);
    }

    @Test
    void jsonLogsAreOneObjectPerLineWithoutTokens(CapturedOutput output) throws Exception {
        List<String> args = new ArrayList<>(List.of(TRACE_EVERYTHING));
        args.add("--logging.structured.format.console=ecs");
        try (var app = TasksyncInstance.start(Tokens.SECRET, args.toArray(String[]::new))) {
            driveTraffic(app);
        }
        // From the moment the app configured logging (its first JSON line) every line is JSON:
        // start-up, traffic and shutdown. Earlier lines were this JVM's previous configuration.
        String all = output.getAll();
        int newline = all.indexOf("\n{\"@timestamp\"");
        assertThat(all.startsWith("{\"@timestamp\"") || newline >= 0).as("a JSON log line").isTrue();
        int from = all.startsWith("{\"@timestamp\"") ? 0 : newline + 1;
        var json = JsonMapper.builder().build();
        List<String> lines = all.substring(from).lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as("log lines").hasSizeGreaterThan(20);
        List<String> levels = new ArrayList<>();
        for (String line : lines) {
            JsonNode entry;
            try {
                entry = json.readTree(line);
            } catch (JacksonException e) {
                throw new AssertionError("not a JSON log line: " + abbreviate(line));
            }
            assertThat(entry.isObject()).as(abbreviate(line)).isTrue();
            assertThat(entry.path("@timestamp").asString()).as("@timestamp of " + abbreviate(line)).isNotBlank();
            assertThat(entry.path("message").isString()).as("message of " + abbreviate(line)).isTrue();
            assertThat(entry.path("log").path("logger").asString()).as("log.logger of " + abbreviate(line)).isNotBlank();
            levels.add(entry.path("log").path("level").asString());
        }
        assertThat(levels).as("log.level values").contains("TRACE", "DEBUG", "INFO", "WARN")
                .allMatch(l -> List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(l));
        assertThat(lines).as("the rejected token's warning").anyMatch(l -> l.contains("WebSocket rejected from"));
        assertNoTokens(all);
    }

    /** A good connection with a ping, two rejected tokens, a Dapr event for the user, a bad bearer on /stats. */
    private void driveTraffic(TasksyncInstance app) throws Exception {
        var http = HttpClient.newHttpClient();
        try (var ws = WsClient.connect(app.port(), good)) {
            ws.next();
            ws.send("{\"type\":\"ping\"}");
            ws.next();
            String event = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"s\",\"type\":\"t\","
                    + "\"data\":{\"event_type\":\"task.created\",\"user_id\":\"alice\",\"task\":{\"id\":1}}}";
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                    + "/task-updates")).header("Content-Type", "application/cloudevents+json")
                    .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(reply.body()).contains("SUCCESS");
            assertThat(ws.next().path("type").asString()).isEqualTo("task_update");
        }
        for (String rejected : new String[] {bad, expired}) {
            try (var ws = WsClient.connect(app.port(), rejected)) {
                assertThat(ws.awaitClose().getCode()).isEqualTo(4001);
            }
        }
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/stats"))
                .header("Authorization", "Bearer " + bad).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertNoTokens(String log) {
        for (String token : new String[] {good, bad, expired}) {
            // The signature part is enough to recognise a leaked token, whole or in pieces.
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertThat(log.lines().filter(line -> line.contains(signature)).map(LoggingTokenTest::abbreviate))
                    .as("log lines containing a token").isEmpty();
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
