package dev.ferry.agent.lab;

/** A node of the lab: a network namespace that routes for its pods, where Ferry's agent would run. */
public record Node(String name, String netns) {
}
