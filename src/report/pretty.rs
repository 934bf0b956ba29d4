pub fn render(_r: &super::Report, _o: &super::RenderOptions) -> String {
    String::new()
}
