package dev.tasksync.support;

import dev.tasksync.TasksyncApplication;
import dev.tasksync.e2e.support.FreePorts;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The real tasksync application, started in this JVM on a fixed loopback port so a daprd
 * sidecar can be pointed at it, and stopped/restarted on the same port like a pod's container.
 */
public final class TasksyncInstance implements AutoCloseable {

    private final int port;
    private final List<String> args;
    private final boolean ownLoops;
    private ConfigurableApplicationContext context;

    private TasksyncInstance(int port, List<String> args, boolean ownLoops) {
        this.port = port;
        this.args = args;
        this.ownLoops = ownLoops;
    }

    /**
     * Starts with the given secret and extra {@code --key=value} arguments, on event loops of its
     * own (see {@link #startAsOwnProcessWould}): an instance stopped while others of this JVM run
     * (a second app in an end-to-end test, a cached test context) must not take their loops with it.
     */
    public static TasksyncInstance start(String secret, String... extraArgs) {
        return startAsOwnProcessWould(secret, extraArgs);
    }

    /**
     * Like {@link #start}, but the instance's server runs on event loops of its own instead of
     * Reactor Netty's global ones, as a separate process (a pod) would: stopping it then leaves the
     * other instances of this JVM running (closing a context disposes the loop resources it used).
     */
    public static TasksyncInstance startAsOwnProcessWould(String secret, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--tasksync.auth.secret=" + secret, "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(extraArgs));
        var instance = new TasksyncInstance(FreePorts.next(), args, true);
        instance.launch();
        return instance;
    }

    public int port() {
        return port;
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public void stop() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    /** Starts again on the same port. */
    public TasksyncInstance restart() {
        return restart(port -> { });
    }

    /**
     * Starts again on the same port and runs {@code beforeReady} with the port once the web
     * server accepts connections but before the application reports ready (application runners
     * and readiness come after it), e.g. to connect clients before a sidecar resumes delivery.
     */
    public TasksyncInstance restart(IntConsumer beforeReady) {
        stop();
        launch(beforeReady);
        return this;
    }

    @Override
    public void close() {
        stop();
    }

    private void launch() {
        launch(p -> { });
    }

    private void launch(IntConsumer beforeReady) {
        List<String> all = new ArrayList<>(args);
        all.add("--server.port=" + port);
        ApplicationListener<ApplicationEvent> started = event -> {
            if (event instanceof ApplicationStartedEvent) {
                beforeReady.accept(port);
            }
        };
        SpringApplicationBuilder app = new SpringApplicationBuilder(TasksyncApplication.class).listeners(started);
        if (ownLoops) {
            app.initializers(ctx -> ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class, () -> {
                ReactorResourceFactory own = new ReactorResourceFactory();
                own.setUseGlobalResources(false);
                return own;
            }));
        }
        context = app.run(all.toArray(String[]::new));
    }
}
