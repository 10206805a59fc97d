package learningcurve_test

import (
	"fmt"

	"feedforward.dev/feedforward/pkg/learningcurve"
	"feedforward.dev/feedforward/pkg/mode"
)

func ExampleParseSizes() {
	sizes, err := learningcurve.ParseSizes("250:1000:250,2000,4000")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sizes)
	homework, _ := learningcurve.ParseSizes(learningcurve.HomeworkSizes)
	fmt.Println(len(homework), "sizes from", homework[0], "to", homework[len(homework)-1])
	// Output:
	// [250 500 750 1000 2000 4000]
	// 40 sizes from 250 to 10000
}

func ExampleEarlyStop() {
	stop := &learningcurve.EarlyStop{Patience: 2, MaxEpochs: 100}
	// Validation accuracy and loss after each epoch: the accuracy stalls on a
	// plateau while the loss falls, then the network overfits.
	acc := []float64{0.11, 0.11, 0.11, 0.62, 0.80, 0.84, 0.83, 0.84, 0.82}
	loss := []float64{2.30, 2.25, 2.10, 1.40, 0.70, 0.55, 0.58, 0.62, 0.70}
	for i := range acc {
		improved, done := stop.Observe(i+1, acc[i], loss[i])
		fmt.Printf("epoch %d: acc %.2f loss %.2f improved %v\n", i+1, acc[i], loss[i], improved)
		if done {
			break
		}
	}
	fmt.Printf("stopped after epoch %d (%s); selected epoch %d, accuracy %.2f\n",
		stop.Epoch(), stop.StoppedBy(), stop.BestEpoch(), stop.Best())
	// Output:
	// epoch 1: acc 0.11 loss 2.30 improved true
	// epoch 2: acc 0.11 loss 2.25 improved true
	// epoch 3: acc 0.11 loss 2.10 improved true
	// epoch 4: acc 0.62 loss 1.40 improved true
	// epoch 5: acc 0.80 loss 0.70 improved true
	// epoch 6: acc 0.84 loss 0.55 improved true
	// epoch 7: acc 0.83 loss 0.58 improved false
	// epoch 8: acc 0.84 loss 0.62 improved false
	// stopped after epoch 8 (patience); selected epoch 6, accuracy 0.84
}

func ExampleOvertakes() {
	shallow := []learningcurve.Summary{{TrainSize: 250, TestAcc: 0.81}, {TrainSize: 500, TestAcc: 0.85}, {TrainSize: 1000, TestAcc: 0.87}, {TrainSize: 2000, TestAcc: 0.89}}
	deep := []learningcurve.Summary{{TrainSize: 250, TestAcc: 0.82}, {TrainSize: 500, TestAcc: 0.84}, {TrainSize: 1000, TestAcc: 0.88}, {TrainSize: 2000, TestAcc: 0.91}}
	first, from := learningcurve.Overtakes(shallow, deep)
	fmt.Printf("deep first ahead at n=%d, ahead for good from n=%d\n", first, from)
	// Output:
	// deep first ahead at n=250, ahead for good from n=1000
}

func ExampleConfig_CommandLine() {
	cfg := learningcurve.DefaultConfig(mode.Full)
	fmt.Println(cfg.CommandLine("q4"))
	// Output:
	// go run ./cmd/hw1-learning-curves -shape 784,10 -shape 784,300,100,10 -sizes 250:10000:250 -lr 0.1 -batch 64 -patience 10 -max-epochs 200 -val-size 2000 -validate-every 1000 -seed 1 -out q4
}
