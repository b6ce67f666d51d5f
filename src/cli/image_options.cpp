#include "cli/image_options.h"

#include <CLI/CLI.hpp>

#include <algorithm>

namespace es::cli {

void add_image_options(CLI::App* cmd, ImageCliOptions& o) {
  auto* group = "Image preprocessing";
  cmd->add_option("--resize", o.resize, "N: short side to N (aspect kept) | WxH: stretch | none")
      ->capture_default_str()->group(group);
  cmd->add_option("--crop", o.crop, "Centre crop HxW (or N) | none")->capture_default_str()->group(group);
  cmd->add_option("--scale", o.scale, "Pixel (0-255) multiplier before mean/std: 1/255 | raw | a number")
      ->capture_default_str()->group(group);
  cmd->add_option("--mean", o.mean, "Per-channel mean, in the tensor's channel order")->capture_default_str()->group(group);
  cmd->add_option("--std", o.std, "Per-channel std, in the tensor's channel order")->capture_default_str()->group(group);
  cmd->add_flag("--bgr", o.bgr, "Channels in BGR order (OpenCV/PaddleOCR/YOLOX models)")->group(group);
  cmd->add_option("--layout", o.layout, "nchw | nhwc")->capture_default_str()->group(group);
}

Result<ImagePreprocessing> to_preprocessing(const ImageCliOptions& o) {
  ImagePreprocessing p;
  ES_TRY(parse_resize(o.resize, p));
  ES_TRY(parse_crop(o.crop, p));
  ES_TRY(parse_scale(o.scale, p));
  ES_ASSIGN_OR_RETURN(p.mean, parse_channel_values(o.mean, "--mean"));
  ES_ASSIGN_OR_RETURN(p.std, parse_channel_values(o.std, "--std"));
  if (std::find(p.std.begin(), p.std.end(), 0.0) != p.std.end())
    return error(StatusCode::invalid_argument, "--std '{}': values must not be 0", o.std);
  ES_ASSIGN_OR_RETURN(p.layout, parse_layout(o.layout));
  p.bgr = o.bgr;
  return p;
}

}  // namespace es::cli
