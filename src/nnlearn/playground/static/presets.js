// The lecture's presets: settings by the settings table's names, and one paragraph
// of what to look for. Opened by ?preset=NAME (the lecture pages link them).
export const PRESETS = {
  rings: {
    title: "rings (eq. 1)",
    settings: { data: "rings", hidden: "8", activation: "relu", optimizer: "sgd", lr: 0.1,
      batch_size: 10, features: "x1,x2" },
    note: "Eq. (1) with one hidden layer of 8 ReLU units. Each hidden map is a half-plane: " +
      "one unit draws one straight fold. Watch the output map become a ring as the output " +
      "layer adds the folds up; with the features x1sq and x2sq a single unit could draw " +
      "the circle by itself.",
  },
  "lecture-rings": {
    title: "lecture: rings",
    settings: { data: "rings", hidden: "100", activation: "relu", optimizer: "gd", lr: 0.01,
      batch_size: "full", iterations: 3000, points: 2000, test_fraction: 0.5, noise: 0.1, seed: 0,
      features: "x1,x2" },
    snapshots: [50, 150, 250, 500, 1000, 3000],
    note: "The lecture's recipe: 2 layers, 100 ReLU hidden units, full-batch gradient " +
      "descent on eq. (2), 3000 iterations. The strip freezes the decision regions at " +
      "iterations 50, 150, 250, 500, 1000 and 3000, as the lecture's rings figure does: " +
      "the boundary starts as a blob and closes around the inner ring.",
  },
  vanishing: {
    title: "vanishing gradients (deep sigmoid)",
    // width and depth: the same eight layers of 8 when the architecture is set to resnet
    settings: { data: "spirals", hidden: "8,8,8,8,8,8,8,8", width: 8, depth: 7,
      activation: "sigmoid", optimizer: "sgd", lr: 0.1, batch_size: 10 },
    note: "Eight sigmoid layers. The gradient bars (a fixed log scale) fall by about a factor " +
      "of four per layer towards the input, since sigma'(z) <= 1/4 (Theorem 1, eq. 5): the " +
      "first layers' maps hardly change while the last ones do. Switch the activation to " +
      "relu, or the architecture to ResNet (width 8, depth 7: an input map and seven " +
      "blocks, eight layers again), and compare.",
  },
  resnet: {
    title: "ResNet vs plain (eq. 6)",
    // hidden: the same six layers of 16, plain, when the architecture is set to mlp
    settings: { data: "spirals", architecture: "resnet", width: 16, depth: 5,
      hidden: "16,16,16,16,16,16", activation: "sigmoid", optimizer: "adam", lr: 0.01,
      batch_size: 10 },
    note: "Width 16, depth 5: an input map and five residual blocks of eq. (6), " +
      "f + W1 sigma(W2 f + b). The identity path carries the gradient past each block, so " +
      "the first layers' bars stay as long as the last ones. Set the architecture to mlp " +
      "(six plain layers of 16: the same widths) and press Reset: the plain network's " +
      "first bars shrink and it learns far more slowly.",
  },
  width: {
    title: "width: 10 vs 32 units",
    settings: { data: "spirals", classes: 3, noise: 0.15, hidden: "10", activation: "relu",
      optimizer: "adam", lr: 0.01, batch_size: 10 },
    note: "Three spirals: a harder set. Ten hidden units draw ten folds, too few for three " +
      "arms, and the test accuracy stops below what 32 units reach (set the layer's width to " +
      "32). The confusion matrix shows which arms are taken for which.",
  },
};

// What the URL asks of the page itself, not of the server: a preset, classroom mode.
export const PAGE_KEYS = ["preset", "classroom"];
