package dev.tasksync;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Dapr subscriber that fans task events out to the WebSocket connections allowed to see them. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TasksyncApplication {

    public static void main(String[] args) {
        SpringApplication.run(TasksyncApplication.class, args);
    }
}
