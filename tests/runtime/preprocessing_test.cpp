// Image inputs against the reference inputs in shared/reference, which were made with Pillow 9.4 (decode,
// BILINEAR resize) and numpy: our decoders and resampler must give the same pixels, so the tensors may
// differ only by float rounding of the normalisation.
#include "onnx/tensor_file.h"
#include "runtime/inputs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace es {
namespace {

const std::string kShared = ES_SHARED_DIR;

double max_abs_difference(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  if (a.shape() != b.shape()) return INFINITY;
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i)
    worst = std::max(worst, std::fabs(static_cast<double>(a.data<float>()[i]) - b.data<float>()[i]));
  return worst;
}

struct Case {
  std::string image;      // under shared/images/skimage
  std::string reference;  // input_0.pb under shared/reference
  ImagePreprocessing preprocessing;
};

ImagePreprocessing ultraface() {  // 320x240 stretch, (pixel - 127) / 128
  ImagePreprocessing p;
  p.resize = ImagePreprocessing::Resize::exact;
  p.resize_width = 320;
  p.resize_height = 240;
  p.center_crop = false;
  p.scale = 1.0;
  p.mean = {127, 127, 127};
  p.std = {128, 128, 128};
  return p;
}

ImagePreprocessing ppocr_det() {  // 640x640 stretch, BGR, ImageNet mean/std applied in BGR order
  ImagePreprocessing p;
  p.resize = ImagePreprocessing::Resize::exact;
  p.resize_width = 640;
  p.resize_height = 640;
  p.center_crop = false;
  p.bgr = true;
  return p;
}

// Largest |ours - reference| seen when this test was written: chelsea 2.4e-7, coffee 4.8e-7, astronaut 0,
// rocket.jpg 4.8e-7 (one or two float32 ulps of values near 2: the normalisation's rounding differs).
// Any pixel off by one level would show as >= 1/255/0.229 = 0.017.
constexpr double kTolerance = 1e-6;

TEST(Preprocessing, MatchesTheReferenceInputsMadeWithPillow) {
  if (!std::filesystem::exists(kShared + "/reference")) GTEST_SKIP() << "shared/reference not present";
  const Case cases[] = {
      {"chelsea.png", "mobilenetv2-12-fp32-dequantized/test_data_set_0", {}},
      {"coffee.png", "mobilenetv2-12-fp32-dequantized/test_data_set_1", {}},
      {"astronaut.png", "version-RFB-320/test_data_set_0", ultraface()},
      {"rocket.jpg", "ch_PP-OCRv4_det_infer/test_data_set_0", ppocr_det()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.image + " -> " + c.reference);
    auto image = read_image(kShared + "/images/skimage/" + c.image);
    ASSERT_TRUE(image.ok()) << image.status().message();
    auto ours = image_to_tensor(*image, c.preprocessing, c.image);
    ASSERT_TRUE(ours.ok()) << ours.status().message();
    auto reference = onnx_io::read_tensor_file(kShared + "/reference/" + c.reference + "/input_0.pb");
    ASSERT_TRUE(reference.ok()) << reference.status().message();
    double diff = max_abs_difference(*ours, reference->tensor);
    std::cout << c.image << ": max |ours - reference| = " << diff << "\n";
    EXPECT_LE(diff, kTolerance);
  }
}

TEST(Preprocessing, ShortSideResizeAndCentreCropFollowTorchvision) {
  Image image{451, 300, std::vector<uint8_t>(451 * 300 * 3, 200)};
  ImagePreprocessing p;
  p.crop_height = 100;
  p.crop_width = 50;
  p.layout = TensorLayout::nhwc;
  auto t = image_to_tensor(image, p, "flat.png");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->shape(), (Shape{1, 100, 50, 3}));
  // A flat image stays flat through resize and crop: every value is (200/255 - mean) / std.
  EXPECT_NEAR(t->data<float>()[0], (200 / 255.0 - 0.485) / 0.229, 1e-6);
  EXPECT_NEAR(t->data<float>()[2], (200 / 255.0 - 0.406) / 0.225, 1e-6);
}

TEST(Preprocessing, BgrSwapsChannelsAndNormalisesInOutputOrder) {
  Image image{1, 1, {10, 20, 30}};
  ImagePreprocessing p;
  p.resize = ImagePreprocessing::Resize::none;
  p.center_crop = false;
  p.scale = 1.0;
  p.mean = {1, 2, 3};
  p.std = {1, 2, 3};
  p.bgr = true;
  auto t = image_to_tensor(image, p, "pixel.png");
  ASSERT_TRUE(t.ok());
  std::vector<float> v = t->to_float_vector();  // B, G, R with mean/std in that order
  EXPECT_FLOAT_EQ(v[0], (30 - 1) / 1.0f);
  EXPECT_FLOAT_EQ(v[1], (20 - 2) / 2.0f);
  EXPECT_FLOAT_EQ(v[2], (10 - 3) / 3.0f);
}

TEST(Preprocessing, CropLargerThanTheImageIsAnError) {
  Image image{100, 80, std::vector<uint8_t>(100 * 80 * 3)};
  ImagePreprocessing p;
  p.resize = ImagePreprocessing::Resize::none;
  auto t = image_to_tensor(image, p, "small.png");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("small.png"), std::string::npos);
}

TEST(Preprocessing, BilinearUpscaleInterpolatesAndDownscaleAverages) {
  Image two{2, 1, {0, 0, 0, 255, 255, 255}};
  Image up = resize_bilinear(two, 4, 1);
  // Pillow: centres at 0.25/0.75 of each source pixel -> 0, 64, 191, 255.
  EXPECT_EQ(up.at(0, 0, 0), 0);
  EXPECT_EQ(up.at(1, 0, 0), 64);
  EXPECT_EQ(up.at(2, 0, 0), 191);
  EXPECT_EQ(up.at(3, 0, 0), 255);
  Image stripes{4, 1, {0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255}};
  Image down = resize_bilinear(stripes, 1, 1);  // the widened filter sees all four pixels
  EXPECT_NEAR(down.at(0, 0, 0), 128, 1);
}

TEST(Preprocessing, OptionParsers) {
  ImagePreprocessing p;
  EXPECT_TRUE(parse_resize("320x240", p).ok());
  EXPECT_EQ(p.resize, ImagePreprocessing::Resize::exact);
  EXPECT_EQ(p.resize_width, 320);
  EXPECT_EQ(p.resize_height, 240);
  EXPECT_TRUE(parse_resize("none", p).ok());
  EXPECT_EQ(p.resize, ImagePreprocessing::Resize::none);
  EXPECT_FALSE(parse_resize("-3", p).ok());
  EXPECT_TRUE(parse_crop("48x320", p).ok());
  EXPECT_EQ(p.crop_height, 48);
  EXPECT_EQ(p.crop_width, 320);
  EXPECT_TRUE(parse_scale("1/128", p).ok());
  EXPECT_DOUBLE_EQ(p.scale, 1.0 / 128);
  EXPECT_TRUE(parse_scale("raw", p).ok());
  EXPECT_DOUBLE_EQ(p.scale, 1.0);
  EXPECT_FALSE(parse_scale("1/0", p).ok());
  auto mean = parse_channel_values("0.5,0.25,1", "--mean");
  ASSERT_TRUE(mean.ok());
  EXPECT_EQ(*mean, (std::array<double, 3>{0.5, 0.25, 1}));
  EXPECT_FALSE(parse_channel_values("1,2", "--mean").ok());
  EXPECT_FALSE(parse_layout("chw").ok());
}

TEST(Inputs, RawFileOfTheWrongSizeNamesTheFileAndBothSizes) {
  std::string path = testing::TempDir() + "/wrong_size.bin";
  std::ofstream(path, std::ios::binary) << std::string(10, '\0');
  auto t = read_raw_f32(path, {1, 3});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("wrong_size.bin"), std::string::npos);
  EXPECT_NE(t.status().message().find("10 bytes"), std::string::npos);
  EXPECT_NE(t.status().message().find("12 bytes"), std::string::npos);
  std::ofstream(path, std::ios::binary) << std::string(12, '\0');
  EXPECT_TRUE(read_raw_f32(path, {1, 3}).ok());
}

TEST(Inputs, KindFollowsTheExtension) {
  EXPECT_EQ(input_file_kind("a/input_0.pb"), InputFileKind::tensor_proto);
  EXPECT_EQ(input_file_kind("x.BIN"), InputFileKind::raw_f32);
  EXPECT_EQ(input_file_kind("cat.jpeg"), InputFileKind::image);
}

}  // namespace
}  // namespace es
