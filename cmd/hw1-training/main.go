// Command hw1-training is the Go counterpart of the homework's hw1_training.py:
// it trains a feedforward network on MNIST with full-batch gradient descent,
// prints the loss and the training and test accuracies after every epoch, and
// can save them as JSON and as two PNG plots ("Loss vs. Epochs" and
// "Accuracy vs. Epochs").
//
// Usage:
//
//	hw1-training [flags]
//
// The flags are:
//
//	-network example|autograd
//	    example: the warm-up's TorchNeuralNetwork (package examplenet, GoMLX layers
//	    and optimizer); autograd: Q3's AutogradNeuralNetwork (package autograd,
//	    graph operations and graph.Gradient only). Default autograd.
//	-shape 784,300,100,10
//	    layer sizes, from the 784 input pixels to the 10 classes.
//	-epochs N
//	    number of full-batch epochs (default 100; 10 in quick mode).
//	-lr RATE
//	    learning rate (default 0.1).
//	-train-size N
//	    train on the first N training images; 0 means all 60000
//	    (default 0; 5000 in quick mode).
//	-seed S
//	    seed of the initial weights (default 0).
//	-accumulate-gradients
//	    autograd only: reproduce the forgot-to-zero-the-gradients bug.
//	-init-from FILE
//	    autograd only: start from the weights in FILE instead of drawing them
//	    with -seed: raw little-endian float32 W1, b1, W2, b2, ... with each W
//	    stored inputs×units, row-major. The PyTorch reference
//	    (../shared/refs/q3_torch.py) writes its initial weights in this format
//	    (q3_init.bin in its cache), so that both runs start identically.
//	-metrics-out FILE.json
//	    write the configuration and per-epoch metrics as JSON.
//	-plot-dir DIR
//	    write loss-vs-epochs.png and accuracy-vs-epochs.png into DIR (created if needed).
//
// FEEDFORWARD_MODE=quick shrinks the defaults of -epochs and -train-size (flags
// given explicitly always win); the default is the homework's full setting.
// MNIST is read from FEEDFORWARD_DATA or data/mnist (package mnist).
//
// The homework's experiment (shape 784,300,100,10, 100 epochs) is
//
//	hw1-training -network autograd -shape 784,300,100,10 -epochs 100 -lr 0.1 \
//	    -metrics-out q3.json -plot-dir q3-plots
//
// The JSON file looks like
//
//	{"backend": "SimpleGo", "config": {...},
//	 "epochs": [{"epoch": 1, "loss": 2.30, "train_acc": 0.21, "test_acc": 0.22, "seconds": 1.9}, ...]}
//
// where loss is the average cross-entropy on the training examples before the
// epoch's update, the accuracies are measured after it, and seconds is the
// time of the epoch's training step (forward, backward and update) alone;
// the first epoch's also includes compiling the step for the backend.
//
// If the loss becomes NaN or infinite (the learning rate is too large), the
// command exits with status 1 and a message suggesting a smaller -lr, but
// still writes -metrics-out and -plot-dir for the epochs completed before,
// with a top-level "stopped": {"epoch": E, "reason": "..."} in the JSON (the
// field is absent when every epoch ran).
//
// Invalid flags, including an output path that cannot be created, make the
// command exit with status 2 before anything is trained or written; other
// failures exit with status 1. A run never writes a partial file: both plots
// are drawn before anything is written, and every file is written to a
// temporary file and renamed.
package main

import (
	"os"

	"feedforward.dev/feedforward/internal/cli"
)

func main() {
	os.Exit(cli.ExitCode("hw1-training", run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}
