// Command hw1-learning-curves is the Go counterpart of the homework's
// hw1_learning_curves.py (Q4): for every training-set size of a grid and every
// network shape it trains a fresh AutogradNeuralNetwork with early stopping,
// selects the best-validation model, and records its training and test
// accuracy. It writes the points as JSON and CSV and draws one learning-curve
// figure per shape plus an overlay of the shapes.
//
// Usage:
//
//	hw1-learning-curves -out DIR [flags]
//
// The flags are:
//
//	-shape 784,10 -shape 784,300,100,10
//	    network shapes; repeat the flag (or separate shapes with ';') for
//	    several. Default: the homework's shallow (784,10) and deep
//	    (784,300,100,10) networks.
//	-sizes 250:10000:250
//	    training-set sizes: start:stop:step, a list such as 250,1000,4000, or
//	    both (default the homework's 250:10000:250; quick mode 250,500,1000,2000,4000).
//	-lr 0.1
//	    learning rate.
//	-batch 64
//	    mini-batch size of stochastic gradient descent; 0 means full-batch
//	    gradient descent (one step per epoch).
//	-patience 10
//	    stop after this many epochs without a better validation accuracy (quick mode: 5).
//	-max-epochs 200
//	    cap on the epochs of one point (quick mode: 40).
//	-val-size 2000
//	    size of the validation hold-out drawn from the 60000 training images,
//	    disjoint from every training set (quick mode: 500).
//	-val-fraction F
//	    instead of the hold-out, validate on round(F·n) images of each training
//	    set of size n and fit the rest (0 < F < 1).
//	-validate-every 1000
//	    training images between two validations: the network is validated
//	    after every ⌈1000/n⌉-th epoch (every epoch from n = 1000 on), so that tiny
//	    training sets do not spend most of their time validating; 0 validates
//	    after every epoch.
//	-repeats 1
//	    independent runs per shape and size (different subsets, initial
//	    weights and batch orders); the figures show their means.
//	-seed 1
//	    seed of everything random.
//	-out DIR
//	    output directory (created if needed); receives learning-curves.json,
//	    learning-curves.csv, learning-curve-<shape>.png per shape,
//	    learning-curves-overlay.png, and the checkpoint checkpoint-<hash>.json.
//	-resume
//	    reuse the points already in DIR's checkpoint for the same settings
//	    (everything but -shape, -sizes and -repeats); only the missing points are trained.
//	    The command refuses (status 2, nothing written) when DIR holds
//	    checkpoints of other settings but none of these, naming the settings
//	    that differ (without -resume it would start these settings and
//	    replace DIR's JSON, CSV and PNG files), and when the checkpoint's
//	    points were computed on another backend, naming it.
//
// FEEDFORWARD_MODE=quick shrinks the defaults (flags given explicitly always
// win); unset, the defaults are the homework's full setting. The backend is
// chosen by package backend (GOMLX_BACKEND, else XLA if installed, else
// SimpleGo); MNIST is read from FEEDFORWARD_DATA or data/mnist.
//
// The homework's experiment is
//
//	hw1-learning-curves -shape 784,10 -shape 784,300,100,10 -sizes 250:10000:250 \
//	    -lr 0.1 -batch 64 -patience 10 -max-epochs 200 -val-size 2000 -validate-every 1000 \
//	    -seed 1 -out q4 -resume
//
// and the JSON file looks like
//
//	{"config": {"shapes": [[784,10],[784,300,100,10]], "sizes": [250, ...], "lr": 0.1, ..., "hash": "...", "backend": "XLA (cpu)"},
//	 "points": [{"shape": "784,10", "train_size": 250, "train_acc": 0.99, "test_acc": 0.79,
//	             "epochs_trained": 52, "best_epoch": 42, "seconds": 1.3, "backend": "XLA (cpu)", ...}, ...]}
//
// where each point records the backend it was computed on (also the last
// column of the CSV file).
//
// A progress line with the ETA of the whole sweep goes to standard error, one
// line per finished point to standard output. Invalid flags make the command
// exit with status 2 before anything is trained or written; other failures
// exit with status 1.
package main

import (
	"os"

	"feedforward.dev/feedforward/internal/cli"
)

func main() {
	os.Exit(cli.ExitCode("hw1-learning-curves", run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}
