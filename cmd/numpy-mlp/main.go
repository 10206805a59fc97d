// Command numpy-mlp is the Go counterpart of the homework's numpy_mlp.py (Q5):
// it trains the dense residual MLP with LayerNorm of package denseres — forward
// and backward passes written by hand, no automatic differentiation — with
// mini-batch SGD on MNIST, prints the loss and the training and test
// accuracies after every epoch, and can save them as JSON and as the two plots
// the homework asks for ("Loss vs. Epochs" and "Accuracy vs. Epochs"). With
// -learning-curve it measures learning curves with early stopping instead.
//
// The homework's command
//
//	python numpy_mlp.py --hidden-size 256 --batch-size 128 --epochs 30 --lr 0.01
//
// is, from the repository root,
//
//	go run ./cmd/numpy-mlp --hidden-size 256 --batch-size 128 --epochs 30 --lr 0.01
//
// Flags may be written with one dash or two. They are:
//
//	--hidden-size H
//	    width h of the three hidden layers (default 256).
//	--batch-size B
//	    samples per SGD step (default 128); the last step of an epoch takes
//	    the remaining samples.
//	--epochs N
//	    number of epochs (default 30; 3 in quick mode). With --learning-curve,
//	    the cap on the epochs of every point (default 30; 40 in quick mode,
//	    whose training sets are small).
//	--lr RATE
//	    learning rate (default 0.01, or 0.001 with --no-layernorm).
//	--no-layernorm
//	    train the variant without LayerNorm (the dense and residual
//	    connections stay): H = ReLU(Z (+ residual)).
//	--train-size N
//	    train on the first N of the 60000 training images; 0 means all
//	    (default 0; 5000 in quick mode).
//	--seed S
//	    seed of the initial weights, the batch order and the validation split (default 0).
//	--dtype float32|float64
//	    element type of the computation (default float32).
//	--learning-curve
//	    measure learning curves instead: for every training-set size, a
//	    fresh model trained with early stopping on a validation hold-out (see
//	    below). Without --hidden-size, --no-layernorm and --lr it runs the
//	    homework's three models (h128 LN lr 0.01, h256 LN lr 0.01,
//	    h256 no-LN lr 0.001); with any of them, that one model.
//	--sizes LIST
//	    learning-curve sizes: start:stop:step (stop included), a
//	    comma-separated list, or both (default 5500:55000:5500, the homework's
//	    range(5500, 56001, 5500); quick mode 1000,2000,4000).
//	--patience P
//	    learning curves: stop a point after P epochs without a better
//	    validation accuracy (default 5; 4 in quick mode).
//	--val-size V
//	    learning curves: validation images held out from the 60000 training
//	    images, disjoint from every training set (default 5000; 2000 in quick mode).
//	--metrics-out FILE.json
//	    write the configuration and the metrics as JSON.
//	--plot-dir DIR
//	    write loss-vs-epochs.png and accuracy-vs-epochs.png (or, with
//	    --learning-curve, learning-curve.png) into DIR (created if needed).
//
// FEEDFORWARD_MODE=quick shrinks the defaults of --epochs, --train-size,
// --sizes, --patience and --val-size; flags given explicitly always win, and unset, the
// defaults are the homework's full setting. MNIST is read from
// FEEDFORWARD_DATA or data/mnist (package mnist).
//
// # Early stopping
//
// A learning curve never looks at the test set before a model is selected.
// --val-size images are drawn (seeded) from the 60000 training images once;
// the training set of size n is the first n of a random order of the other
// images (55000 of them by default, exactly the largest homework size), so
// validation and training never overlap and larger training sets contain the
// smaller ones. After every epoch the validation accuracy is measured; after
// --patience epochs without a better one, or after --epochs epochs, training
// stops and the weights of the best epoch are restored. The selected model's
// accuracy on its training images and on the 10000 test images is the point
// of the curve.
//
// # Output
//
// The JSON file of a training run has the shape of cmd/hw1-training's:
//
//	{"implementation": "pkg/denseres ...", "config": {...},
//	 "epochs": [{"epoch": 1, "loss": 0.27, "train_acc": 0.95, "test_acc": 0.95, "seconds": 3.1}, ...]}
//
// where loss is the mean of the epoch's batch losses (each measured before its
// step), the accuracies are measured after the epoch, and seconds is the time
// of the epoch's SGD steps alone. A learning-curve run writes "points"
// instead of "epochs": [{"config": "h256 LN lr 0.01", "train_size": 5500,
// "train_acc": ..., "val_acc": ..., "test_acc": ..., "best_epoch": ...,
// "epochs_trained": ..., "history": [...]}, ...].
//
// If the loss becomes NaN or infinite (the learning rate is too large), the
// command exits with status 1 and says so, but still writes --metrics-out and
// --plot-dir for the epochs (or learning-curve points) completed before, with
// a top-level "stopped": {"epoch": E, "reason": "..."} in the JSON (absent
// when the run completes).
//
// Invalid flags, including an output path that cannot be created, make the
// command exit with status 2 before anything is trained or written; other
// failures exit with status 1. The plots are drawn before anything is
// written, and every file is written to a temporary file and renamed, so a
// run never leaves a partial file.
package main

import (
	"os"

	"feedforward.dev/feedforward/internal/cli"
)

func main() {
	os.Exit(cli.ExitCode("numpy-mlp", run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}
