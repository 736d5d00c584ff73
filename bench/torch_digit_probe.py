#!/usr/bin/python3
"""torch_digit_probe.py - how well can the captioner's CNN encoder read one digit?

A measurement, not a benchmark of speed: before spending 30-minute captioner runs on an
encoder, train the same stack of blocks as a plain digit classifier and see what share of the
test digits it reads right. A caption of 2 to 4 digits is right only if every digit is, so 97%
exact match needs about 99% per digit (mean of p^2, p^3, p^4 for p = 0.99 is 0.970); the
captioner reads a digit right about as often as this probe of its encoder does.

The encoder is attn's CnnEncoder (nn/vision/cnn_encoder.h): blocks of conv 3x3 (padding 1) +
ReLU, the first three ending with a 2x2 max pool; here on one 28 x 28 digit, its features
max-pooled over the grid, dropout 0.2, a linear layer to the 10 classes. The digits are split as
attn caption splits them (train/data/digit_scenes.h): index mod 10 = 9 tests, 8 validates (unused
here), the rest train. --distort S draws every training digit rotated, scaled and sheared as
attn's --distort S does (train/data/digit_distortion.h: up to 12 S degrees, 10 S % and a shear
of 0.2 S), through PyTorch's bilinear grid_sample. Adam (lr 2e-3), batches of 32, the rate
annealed to 0 by a cosine over the epochs.

Usage (PyTorch is for measuring only; attn never depends on it):
  /usr/bin/python3 bench/torch_digit_probe.py --mnist ../shared/data/mnist/train-images-idx3-ubyte \
    --widths 16,32,64,128 --distort 1 --epochs 40 [--seed 1] [--threads 1]
Prints the test accuracy every 5 epochs, and at the end the test digits it misread, by their
index in the IDX file (as `attn caption test --errors` names them).
"""
import argparse
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def read_idx(images_path):
    labels_path = images_path.replace("images-idx3", "labels-idx1")
    raw = open(images_path, "rb").read()
    count = (len(raw) - 16) // 784
    images = np.frombuffer(raw, np.uint8, offset=16).reshape(count, 1, 28, 28)
    labels = np.frombuffer(open(labels_path, "rb").read(), np.uint8, offset=8)
    return images.astype(np.float32) / 255, labels.astype(np.int64)


class Probe(nn.Module):
    def __init__(self, widths, pools=3):
        super().__init__()
        layers, channels = [], 1
        for n, width in enumerate(widths):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
            if n < pools:
                layers.append(nn.MaxPool2d(2))
            channels = width
        self.encoder = nn.Sequential(*layers)
        self.classify = nn.Linear(channels, 10)

    def forward(self, digits):                        # [B, 1, 28, 28]
        features = self.encoder(digits).amax((2, 3))  # [B, D, h, w] -> [B, D]
        return self.classify(F.dropout(features, 0.2, self.training))


def distorted(digits, strength):
    """theta, k, s uniform in +-12 S degrees, 1 +- 0.1 S, +-0.2 S; A = k R(theta) [1 s; 0 1]."""
    if strength == 0:
        return digits
    B = digits.shape[0]
    symmetric = lambda largest: (torch.rand(B) * 2 - 1) * largest
    theta = symmetric(strength * 12 * math.pi / 180)
    k, s = 1 + symmetric(strength * 0.1), symmetric(strength * 0.2)
    cos, sin = torch.cos(theta), torch.sin(theta)
    A = torch.stack([torch.stack([k * cos, k * (cos * s - sin)], 1),
                     torch.stack([k * sin, k * (sin * s + cos)], 1)], 1)  # [B, 2, 2]
    inverse = torch.linalg.inv(A)  # out(p) = in(c + A^-1 (p - c)): the grid samples A^-1 p
    affine = torch.cat([inverse, torch.zeros(B, 2, 1)], 2)             # [B, 2, 3]
    grid = F.affine_grid(affine, digits.shape, align_corners=False)
    return F.grid_sample(digits, grid, align_corners=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mnist", required=True, help="IDX images file, labels beside it")
    parser.add_argument("--widths", default="16,32,64", help="each block's channels")
    parser.add_argument("--distort", type=float, default=0)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    images, labels = read_idx(args.mnist)
    index = np.arange(len(labels))
    train, test = index[index % 10 < 8], index[index % 10 == 9]
    train_x, train_y = torch.tensor(images[train]), torch.tensor(labels[train])
    test_x, test_y = torch.tensor(images[test]), torch.tensor(labels[test])

    model = Probe([int(width) for width in args.widths.split(",")])
    steps_per_epoch = len(train) // 32
    optimiser = torch.optim.Adam(model.parameters(), 2e-3)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, args.epochs * steps_per_epoch)
    start = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train))
        for step in range(steps_per_epoch):
            batch = order[step * 32:(step + 1) * 32]
            loss = F.cross_entropy(model(distorted(train_x[batch], args.distort)), train_y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
        if epoch % 5 == 0 or epoch == args.epochs:
            model.eval()
            with torch.no_grad():
                right = (model(test_x).argmax(1) == test_y).sum().item()
            print(f"widths {args.widths} distort {args.distort} seed {args.seed} epoch {epoch}: "
                  f"{right} of {len(test)} test digits right, {100 * right / len(test):.2f}% "
                  f"({time.time() - start:.0f} s)", flush=True)
    model.eval()
    with torch.no_grad():
        read = model(test_x).argmax(1)
    wrong = (read != test_y).nonzero().flatten().tolist()
    print("misread test digits (image: label -> read): " +
          ", ".join(f"{test[i]}: {test_y[i].item()} -> {read[i].item()}" for i in wrong))


if __name__ == "__main__":
    main()
