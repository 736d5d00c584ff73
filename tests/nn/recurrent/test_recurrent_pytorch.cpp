// Recurrent against PyTorch 1.13: the same weights and inputs through nn.GRU / nn.LSTM (2 layers,
// bidirectional, a padded batch through pack_padded_sequence) give the same outputs, final states
// and parameter gradients. The expected numbers come from tests/nn/recurrent/pytorch_reference.py
// (not run by the tests; its header describes the fixture, which make_fixture() rebuilds here).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/recurrent/recurrent.h"
#include "tensor/random.h"

using namespace attn;

namespace {

using Values = std::vector<double>;

struct Expected {
  Values outputs, h_n, c_n, grad_weight_hh_l0_reverse, grad_weight_ih_l1;
};

// ---- the numbers PyTorch printed ----------------------------------------------------------------

Expected gru_expected() {
  Expected e;
  // outputs [3, 4, 4]
  e.outputs = {
    0.0053005723, 0.2068561930, -0.3472655050, -0.4844960460, 0.0498271317, 0.2486820249,
    -0.2802616499, -0.4117782991, 0.1200125860, 0.2916696150, -0.3248157463, -0.3737786305,
    0.1260350761, 0.4737598401, -0.3639044622, -0.3541080301, 0.0136707473, 0.2325420287,
    -0.3744386872, -0.4396044420, 0.0700340826, 0.2900875480, -0.2672903690, -0.2977094443,
    0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000,
    0.0000000000, 0.0000000000, 0.0050956831, 0.1989298352, -0.3366734481, -0.4643562104,
    0.0550712046, 0.2324063522, -0.2607423740, -0.3678787329, 0.1171716607, 0.2929355517,
    -0.2747651013, -0.2816381288, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000
  };
  // h_n [4, 3, 2]
  e.h_n = {
    -0.3851035431, -0.4133521713, -0.0241965302, -0.4105537046, 0.0757421178, -0.3466661600,
    0.3150214546, 0.2257273013, 0.2466248307, 0.1545114491, 0.3040558584, 0.2576082122,
    0.1260350761, 0.4737598401, 0.0700340826, 0.2900875480, 0.1171716607, 0.2929355517,
    -0.3472655050, -0.4844960460, -0.3744386872, -0.4396044420, -0.3366734481, -0.4643562104
  };
  // grad_weight_hh_l0_reverse [6, 2]
  e.grad_weight_hh_l0_reverse = {
    0.0042159938, 0.0066195225, -0.0119571425, -0.0183259576, -0.0455749371, -0.0681012448,
    0.0912171225, 0.1347290791, 0.1637455467, 0.2279259979, 0.1550004629, 0.2347710106
  };
  // grad_weight_ih_l1 [6, 4]
  e.grad_weight_ih_l1 = {
    -0.0115526007, -0.0654506376, 0.0306115578, 0.0353634967, -0.0096331550, -0.0575334958,
    0.0300199177, 0.0365122573, -0.0030967318, 0.0288444062, -0.0149178658, -0.0213894483,
    0.0238185629, 0.0560585039, -0.0293747654, -0.0266696979, -0.1002395004, -0.6053121161,
    0.2928874069, 0.3414822217, -0.0817203359, -0.4743493581, 0.2553215802, 0.3081050065
  };
  return e;
}

Expected lstm_expected() {
  Expected e;
  // outputs [3, 4, 4]
  e.outputs = {
    0.0928524935, 0.1735837496, -0.1231449885, -0.1278645593, 0.1547884213, 0.2485008308,
    -0.1007750681, -0.1061740683, 0.1938894345, 0.2919628136, -0.1058019000, -0.1018632754,
    0.2177560849, 0.3252676610, -0.1097005755, -0.0994749764, 0.0950710904, 0.1763531594,
    -0.1212542487, -0.1174747759, 0.1582698606, 0.2544469671, -0.0861188983, -0.0792727149,
    0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000,
    0.0000000000, 0.0000000000, 0.0923693964, 0.1683921045, -0.1186772294, -0.1224991488,
    0.1543116431, 0.2431456567, -0.0957898890, -0.0974081506, 0.1927871031, 0.2894155259,
    -0.0887740784, -0.0799248105, 0.0000000000, 0.0000000000, 0.0000000000, 0.0000000000
  };
  // h_n [4, 3, 2]
  e.h_n = {
    -0.2412682716, -0.1877676268, -0.0437708980, -0.0939569489, -0.0297099652, -0.0848700572,
    0.1627989016, 0.0346848981, 0.1351045705, 0.0114929666, 0.1644111550, 0.0709153545,
    0.2177560849, 0.3252676610, 0.1582698606, 0.2544469671, 0.1927871031, 0.2894155259,
    -0.1231449885, -0.1278645593, -0.1212542487, -0.1174747759, -0.1186772294, -0.1224991488
  };
  // c_n [4, 3, 2]
  e.c_n = {
    -0.5324062343, -0.3914392922, -0.1780514051, -0.3508358971, -0.1076895002, -0.3042627748,
    0.5866201708, 0.0895791665, 0.4490509853, 0.0293063669, 0.5662613833, 0.1894998346,
    0.3146790359, 0.5763022507, 0.2340100620, 0.3953831657, 0.2844036997, 0.4592888772,
    -0.2916997341, -0.2568115777, -0.2830618469, -0.2331440409, -0.2837684009, -0.2467312710
  };
  // grad_weight_hh_l0_reverse [8, 2]
  e.grad_weight_hh_l0_reverse = {
    0.0210728382, 0.0140836542, -0.0152187919, -0.0116809197, 0.0155447040, 0.0104421867,
    0.0278329547, 0.0217288951, 0.1006169104, 0.0599122811, 0.1723840198, 0.1125784208,
    0.0734297753, 0.0496578394, 0.0150507399, 0.0102560522
  };
  // grad_weight_ih_l1 [8, 4]
  e.grad_weight_ih_l1 = {
    -0.0172386124, -0.0239522243, 0.0341191680, 0.0134116755, -0.0207801288, -0.0287027625,
    0.0414078555, 0.0189184436, -0.0100532063, -0.0124415454, 0.0142679998, 0.0039098765,
    -0.0096909785, -0.0145322340, 0.0211680858, 0.0104592589, -0.0399990100, -0.0563458138,
    0.0842443159, 0.0342578735, -0.0324039800, -0.0483087505, 0.0773526923, 0.0389925780,
    -0.0081794999, -0.0110456067, 0.0130715167, 0.0032123713, -0.0089355715, -0.0153551613,
    0.0224581842, 0.0102015941
  };
  return e;
}

// ---- the fixture ----------------------------------------------------------------------------------

// float64 matches to the printed 10 decimals; float32 to its rounding.
constexpr double kTolerance = sizeof(real) == sizeof(double) ? 1e-9 : 2e-5;

void check_close(const Tensor& actual, const Values& expected, const std::string& what) {
  const std::vector<real> values = actual.contiguous().to_vector();
  REQUIRE_MESSAGE(values.size() == expected.size(), what);
  for (size_t i = 0; i < values.size(); ++i)
    CHECK_MESSAGE(std::abs(values[i] - expected[i]) <= kTolerance, what, " element ", i, ": ",
                  values[i], " against PyTorch's ", expected[i]);
}

void check_fixture(CellKind kind, const Expected& expected) {
  RecurrentOptions options;
  options.cell = kind;
  options.input_size = 3;
  options.hidden_size = 2;
  options.layers = 2;
  options.bidirectional = true;
  Generator generator(1);
  Recurrent recurrent(options, generator);
  // parameter p (state_dict order), element k: 0.4 sin(0.37 k + 1.1 p + 0.3)
  const auto parameters = recurrent.named_parameters();
  for (size_t p = 0; p < parameters.size(); ++p) {
    Tensor& value = Variable(parameters[p].second).mutable_value();
    std::vector<real> filled(value.numel());
    for (size_t k = 0; k < filled.size(); ++k)
      filled[k] = static_cast<real>(0.4 * std::sin(0.37 * double(k) + 1.1 * double(p) + 0.3));
    value.copy_from(Tensor::from_vector(value.shape(), filled));
  }
  std::vector<real> x(3 * 4 * 3), w(3 * 4 * 4);  // x [B, T, I]; w [B, T, 2R], the loss weights
  for (size_t n = 0; n < x.size(); ++n) x[n] = static_cast<real>(0.8 * std::cos(0.53 * double(n) + 0.2));
  for (size_t n = 0; n < w.size(); ++n) w[n] = static_cast<real>(std::sin(0.29 * double(n)));
  const Tensor mask = Tensor::from_vector({3, 4}, {1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0});  // 4, 2, 3

  const RecurrentOutput out =
      recurrent.forward(Variable(Tensor::from_vector({3, 4, 3}, x)), mask);
  std::vector<Variable> h_n, c_n;  // PyTorch's h_n [L*K, B, R]: the same order as out.final
  for (const CellState& state : out.final) {
    h_n.push_back(state.h);
    if (kind == CellKind::lstm) c_n.push_back(state.c);
  }
  // loss = sum(outputs * w) + sum(h_n)
  (sum(out.outputs * Variable(Tensor::from_vector({3, 4, 4}, w))) + sum(stack(h_n, 0))).backward();

  check_close(out.outputs.value(), expected.outputs, "outputs");
  check_close(stack(h_n, 0).value(), expected.h_n, "h_n");
  if (kind == CellKind::lstm) check_close(stack(c_n, 0).value(), expected.c_n, "c_n");
  check_close(recurrent.cell(0, 1).weight_hh.grad(), expected.grad_weight_hh_l0_reverse,
              "d weight_hh_l0_reverse");
  check_close(recurrent.cell(1, 0).weight_ih.grad(), expected.grad_weight_ih_l1,
              "d weight_ih_l1");
}

}  // namespace

TEST_CASE("Recurrent: a 2-layer bidirectional GRU on a padded batch equals PyTorch's nn.GRU") {
  check_fixture(CellKind::gru, gru_expected());
}

TEST_CASE("Recurrent: a 2-layer bidirectional LSTM on a padded batch equals PyTorch's nn.LSTM") {
  check_fixture(CellKind::lstm, lstm_expected());
}
