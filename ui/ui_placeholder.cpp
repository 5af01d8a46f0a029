// Intentionally empty until the window lands.
