"""One builder per resource family. Each is a pure `add_x(ctx, plan, ...) -> handles`."""
