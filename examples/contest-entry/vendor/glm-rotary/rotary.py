# Copyright 2025 Zhipu AI
# Licensed under the Apache License, Version 2.0
#
# Illustrative header for sovereign's bundled example: a file copied into a submission still carries its
# original notice. The code below is a placeholder written for the example, not Zhipu AI's code.


def rotate_half(x):
    half = len(x) // 2
    return [-v for v in x[half:]] + x[:half]
