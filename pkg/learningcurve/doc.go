// Package learningcurve measures learning curves — accuracy against the size
// of the training set — for the homework's Q4, "Learning curves: deep vs
// shallow", with the AutogradNeuralNetwork of package autograd.
//
// For every training-set size n of a grid (the homework's is 250, 500, …,
// 10000), every network shape (the shallow (784, 10) and the deep
// (784, 300, 100, 10)) and every repeat, [Run] instantiates a fresh network,
// trains it on n MNIST training images with early stopping, selects the
// best-validation weights and records the selected model's training and test
// accuracy, the number of epochs trained, the best epoch and the wall time.
// Results are written as JSON and CSV and drawn as one learning-curve figure
// per shape plus an overlay of all shapes ([Result.WriteFiles]). A sweep that
// is interrupted resumes where it stopped: every finished point is saved
// atomically in a [Checkpoint] keyed by a hash of the configuration.
//
// # The early-stopping strategy, and why
//
// The test set is never looked at before a model is selected. Model selection
// uses a validation set taken from the 60000 MNIST training images:
//
//   - Validation set. By default a fixed hold-out of Config.ValSize images is
//     drawn once (with Config.Seed) from the training pool, and every training
//     subset is drawn from the remaining images, so the two never overlap. The
//     same hold-out serves every size and both shapes. This keeps the
//     quality of the stopping decision the same along the curve (a 20 % split of
//     250 images would be 50 images: accuracy in steps of 2 %, too coarse to
//     tell epochs apart) and makes the x axis exactly the number of images the
//     network learns from. Setting Config.ValFraction instead carves the
//     validation set out of each training set of size n (the network then fits
//     n − round(ValFraction·n) images), for those who want the labelled budget
//     to be exactly n.
//   - Criterion. After an epoch the validation accuracy and loss are
//     measured ([EarlyStop]); the accuracy is the quantity the curves plot, so
//     it is also the quantity that selects the model (ties go to the lower
//     loss). The weights of the best epoch are kept (autograd.Network.Params)
//     and the final measurements are made with them: the final model is the
//     best-validation model, not the last one.
//   - Patience. Training stops after Config.Patience epochs in which neither
//     the validation accuracy improved nor the validation loss fell by more
//     than MinLossDecrease. Too little patience stops inside the noise of the
//     validation estimate or on the initial plateau of the deep network, where
//     the accuracy stalls while the loss falls (unconverged); too much only
//     wastes epochs, because the selected weights are the best ones anyway, so
//     overfitting after the best epoch costs time, not accuracy.
//   - Cap. Config.MaxEpochs bounds the cost when the validation accuracy keeps
//     creeping up by single images.
//   - Frequency. On tiny training sets an epoch is a few gradient steps, and
//     validating after each would cost more than training; the network is
//     validated after every ⌈Config.ValidateEvery/n⌉-th epoch.
//
// All measurements are made on a second network that only evaluates, into
// which the training network's weights are copied: on the XLA backend a
// network that trains by mini-batches was seen to return wrong accuracies
// now and then, while its training was unaffected.
//
// # Training: mini-batch SGD
//
// autograd.Network.TrainOneEpoch takes one full-batch gradient step on the rows
// it is given. Full-batch gradient descent takes a single step per epoch, so
// on small training sets the deep network would need thousands of epochs at a
// learning rate of 0.1. [Run] instead calls TrainOneEpoch once per mini-batch
// of Config.BatchSize rows of a fresh random permutation of the training set
// (mini-batch stochastic gradient descent): an epoch then takes ⌈n/B⌉ steps
// and the networks converge in tens of epochs. Every batch has exactly B rows
// — the last batch of an epoch is the last B images of the permutation, so it
// overlaps the previous one — and the step is compiled for one input shape
// only. BatchSize 0 selects full-batch gradient descent, the homework's Q3
// setting.
//
// # One-hot targets
//
// The targets are the one-hot encodings of the labels (mnist.OneHot). [Run]
// checks them with [VerifyOneHot] before training — every row holds a single
// 1, in the column of its label, so the argmax of the encoding gives the label
// back — and mnist.OneHot rejects labels outside [0, 10).
package learningcurve
