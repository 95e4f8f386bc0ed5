"""QSD's ANN teacher: the student's architecture with clipped ReLUs; attention distillation
from it lowers the attention loss on digits."""
import pytest
import torch

from snnc.data.digits import digits
from snnc.models import build
from snnc.nn import SpikeDrivenSelfAttention, attention_maps, record_attention
from snnc.train.ann_teacher import ClippedReLU, ann_teacher, spiking_neurons
from snnc.train.losses import attention_loss, task_loss


def test_ann_teacher_has_no_spiking_neurons_and_the_students_shapes():
    torch.manual_seed(0)
    student = build("transformer", T=2, quant="lsq", quant_opts={"bits": 2}, embed_dim=8, heads=2)
    teacher = ann_teacher(student)
    assert spiking_neurons(student) and not spiking_neurons(teacher)
    assert any(isinstance(m, ClippedReLU) for m in teacher.modules())
    assert sum(isinstance(m, SpikeDrivenSelfAttention) for m in teacher.modules()) >= 1
    assert [k for k in student.state_dict()] == [k for k in teacher.state_dict()]


@pytest.mark.slow
def test_attention_distillation_from_the_ann_teacher_reduces_the_loss():
    torch.manual_seed(0)
    student = build("transformer", T=2, quant="lsq", quant_opts={"bits": 2}, embed_dim=8, heads=2)
    teacher = ann_teacher(build("transformer", T=2, quant="fp", embed_dim=8, heads=2)).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    x, y = digits("train", T=2).reshape(student.config["input_shape"]).batch(torch.arange(64))
    record_attention(student), record_attention(teacher)
    opt = torch.optim.Adam([p for p in student.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(8):
        with torch.no_grad():
            teacher(x)
        out = student(x)
        l_attn = attention_loss(attention_maps(student), attention_maps(teacher))
        loss = task_loss(out, y) + l_attn
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(l_attn.detach().item())
    assert losses[-1] < losses[0]


@pytest.mark.slow
def test_train_attention_method_with_the_ann_teacher():
    import snnc.train

    model, history = snnc.train.train("transformer", "attention", epochs=1, seed=0, teacher="ann",
                                      teacher_epochs=1, T=2, embed_dim=8, heads=2, quant="lsq",
                                      quant_opts={"bits": 2}, verbose=False)
    assert model.metadata["method"] == "attention" and spiking_neurons(model)
    assert history[0]["loss"] > 0
