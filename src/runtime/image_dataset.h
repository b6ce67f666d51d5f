// A folder of labelled photos for `bench --images DIR --labels FILE`: listing, ground-truth labels, and
// batching the preprocessed photos into input tensors (done before timing, as the study's loop did).
#pragma once

#include "base/status.h"
#include "ir/tensor.h"
#include "runtime/inputs.h"

#include <functional>
#include <string>
#include <vector>

namespace es {

struct DatasetImage {
  std::string path;
  int64_t label = -1;  // ground-truth class, -1 when unlabelled
};

// Every image file directly in `dir` (by extension or content: JPEG, PNG, BMP, GIF, TGA, PNM), sorted by name.
// An empty folder or a folder without images is an error naming it.
Result<std::vector<DatasetImage>> list_images(const std::string& dir);

// Reads ground truth: each line holds, among its tab-, comma- or space-separated fields, a non-negative
// integer class index and an image's file name, e.g. ImageNet's "ILSVRC2012_val_00000001.JPEG 65" or
// "0<TAB>n01440764<TAB>tench<TAB>n01440764_tench.JPEG". Every image of `images` must get a label; a line
// naming no image of the folder is ignored (label files often cover a bigger set).
Status attach_labels(const std::string& labels_path, std::vector<DatasetImage>& images);

// Decodes and preprocesses the images into input tensors of `input_shape` (batch B = input_shape[0]):
// tensor i holds images [i*B, (i+1)*B); a last, partial batch is filled up with the first images.
// `progress(done, total)` is called after each image.
Result<std::vector<Tensor>> image_batches(const std::vector<DatasetImage>& images, const ImagePreprocessing& p,
                                          const Shape& input_shape,
                                          const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace es
