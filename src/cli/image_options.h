// Image preprocessing options shared by every command that turns photos into tensors (run, bench), so
// both read and default the same way: --resize, --crop, --scale, --mean, --std, --bgr, --layout.
#pragma once

#include "runtime/inputs.h"

#include <string>

namespace CLI {
class App;
}

namespace es::cli {

// As typed on the command line; to_preprocessing() parses and checks them.
struct ImageCliOptions {
  std::string resize = "256";
  std::string crop = "224x224";
  std::string mean = "0.485,0.456,0.406";
  std::string std = "0.229,0.224,0.225";
  std::string scale = "1/255";
  bool bgr = false;
  std::string layout = "nchw";
};

void add_image_options(CLI::App* command, ImageCliOptions& options);
Result<ImagePreprocessing> to_preprocessing(const ImageCliOptions& options);

// The footer line that explains the defaults.
inline constexpr const char* image_options_footer =
    "Pillow BILINEAR resizing (antialiased) and torchvision's crop rounding: the defaults reproduce the usual\n"
    "ImageNet evaluation transform (resize 256, crop 224, /255, ImageNet mean/std, NCHW RGB).\n";

}  // namespace es::cli
