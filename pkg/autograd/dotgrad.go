package autograd

import "feedforward.dev/feedforward/pkg/dotgrad"

// installDotGradient is the one place where the network makes the gradient of
// Dot memory-lean before building a training graph: GoMLX's stock gradient
// materialises batch×in×out values, which for 60000 MNIST images is tens of GB.
func installDotGradient() { dotgrad.Install() }
