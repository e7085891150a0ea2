package dev.tasksync.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tasksync.TasksyncApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** No key, no service: a missing or weak secret stops start-up with a message that says what to set. */
class StartupValidationTest {

    @Test
    void refusesToStartWithoutSecretOrJwks() {
        assertThatThrownBy(() -> start("--tasksync.auth.secret="))
                .hasStackTraceContaining("BETTER_AUTH_SECRET");
    }

    @Test
    void refusesAShortSecret() {
        assertThatThrownBy(() -> start("--tasksync.auth.secret=short"))
                .hasStackTraceContaining("at least 32 bytes");
    }

    private static void start(String... args) {
        new SpringApplicationBuilder(TasksyncApplication.class)
                .properties("server.port=0", "spring.main.banner-mode=off")
                .run(args)
                .close();
    }
}
